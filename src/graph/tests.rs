use super::export::{to_dot, to_json, to_mermaid, to_text};
use super::*;
use crate::fixtures::{demo, fixture, id};

/// Each node as `depth relation ref mark`, in node order.
fn lines(catalog: &Catalog, tree: &Tree) -> Vec<String> {
    tree.nodes
        .iter()
        .map(|n| {
            format!(
                "{} {} {} {:?}",
                n.depth,
                n.relation.map(|r| r.as_str()).unwrap_or("-"),
                catalog.target_ref(&n.target),
                n.mark
            )
        })
        .collect()
}

#[test]
fn cycle_is_shown_once_as_a_back_edge() {
    let c = fixture("dependency-cycle.yaml");
    let tree = forward(&c, id(&c, "cycle-entry"), DEFAULT_DEPTH);
    assert_eq!(
        lines(&c, &tree),
        [
            "0 - component:default/cycle-entry Expanded",
            "1 dependsOn component:default/cycle-a Expanded",
            "2 dependsOn component:default/cycle-b Expanded",
            "3 dependsOn component:default/cycle-c Expanded",
            "4 dependsOn component:default/cycle-a Cycle",
        ]
    );
    assert_eq!(tree.cycles(), 1);
    assert_eq!(tree.size(), 3);
    assert_eq!(tree.truncated(), 0);
}

#[test]
fn cycle_through_the_root_is_marked_even_at_depth_one_thousand() {
    let c = fixture("dependency-cycle.yaml");
    let tree = reverse(&c, id(&c, "cycle-a"), 1000);
    let marks: Vec<Mark> = tree.nodes.iter().map(|n| n.mark).collect();
    // cycle-a <- cycle-c <- cycle-b <- cycle-a (back to the root), and <- cycle-entry.
    assert_eq!(tree.cycles(), 1, "{:?}", lines(&c, &tree));
    assert!(marks.contains(&Mark::Cycle));
    assert_eq!(tree.size(), 3);
}

#[test]
fn sibling_cycle_is_marked_even_when_neither_end_is_an_ancestor() {
    // top depends on both b and c; b and c depend on each other.
    let mut c = Catalog::new();
    for (name, deps) in [
        ("top", vec!["component:b", "component:c"]),
        ("b", vec!["component:c"]),
        ("c", vec!["component:b"]),
    ] {
        let (e, _) = crate::catalog::Entity::from_value(
            serde_json::json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
                "metadata": {"name": name}, "spec": {"type": "service", "lifecycle": "production",
                "owner": "user:u", "dependsOn": deps}}),
            crate::catalog::Origin::new("t.yaml", None),
        )
        .unwrap();
        c.insert(e);
    }
    let tree = forward(&c, id(&c, "top"), DEFAULT_DEPTH);
    assert_eq!(tree.cycles(), 2, "{:?}", lines(&c, &tree));
    assert_eq!(tree.nodes.len(), 5);
}

#[test]
fn diamond_expands_the_shared_node_once() {
    let c = fixture("diamond.yaml");
    let tree = forward(&c, id(&c, "top"), DEFAULT_DEPTH);
    assert_eq!(
        lines(&c, &tree),
        [
            "0 - component:default/top Expanded",
            "1 dependsOn component:default/left Expanded",
            "1 dependsOn component:default/right Expanded",
            "2 dependsOn component:default/bottom Expanded",
            "2 dependsOn component:default/bottom Seen",
            "3 dependsOn resource:default/bottom-db Expanded",
        ]
    );
    assert_eq!(tree.cycles(), 0);
    assert_eq!(tree.size(), 4);
}

#[test]
fn depth_limit_cuts_and_says_so() {
    let c = fixture("diamond.yaml");
    let tree = forward(&c, id(&c, "top"), 2);
    assert_eq!(tree.truncated(), 1);
    let bottom = tree.node_of(id(&c, "bottom")).unwrap();
    assert_eq!(tree.nodes[bottom].mark, Mark::DepthLimit);
    assert!(tree.nodes[bottom].children.is_empty());
    let zero = forward(&c, id(&c, "top"), 0);
    assert_eq!(zero.nodes.len(), 1);
    assert_eq!(zero.nodes[0].mark, Mark::DepthLimit);
    // A leaf at the limit is not "cut": it has nothing more.
    let exact = forward(&c, id(&c, "top"), 3);
    assert_eq!(exact.truncated(), 0);
}

#[test]
fn dangling_refs_are_missing_leaves() {
    let c = fixture("dangling-ref.yaml");
    let tree = forward(&c, id(&c, "needs-ghost"), DEFAULT_DEPTH);
    assert_eq!(
        lines(&c, &tree),
        [
            "0 - component:default/needs-ghost Expanded",
            "1 dependsOn component:default/ghost-service Missing",
            "1 dependsOn resource:default/ghost-db Missing",
            "1 dependsOn resource:default/real-db Expanded",
        ]
    );
    assert_eq!(tree.missing().len(), 2);
    assert_eq!(tree.size(), 1);
}

#[test]
fn forward_tree_goes_through_consumed_apis_to_their_providers() {
    let c = fixture("api-consumer-provider.yaml");
    let tree = forward(&c, id(&c, "shop-frontend"), DEFAULT_DEPTH);
    assert_eq!(
        lines(&c, &tree),
        [
            "0 - component:default/shop-frontend Expanded",
            "1 dependsOn component:default/checkout Expanded",
            "2 consumesApi api:default/orders-api Expanded",
            "3 apiProvidedBy component:default/orders-service Expanded",
            "4 dependsOn resource:default/orders-db Expanded",
        ]
    );
}

#[test]
fn reverse_tree_goes_through_provided_apis_to_their_consumers() {
    let c = fixture("api-consumer-provider.yaml");
    let tree = reverse(&c, id(&c, "orders-db"), DEFAULT_DEPTH);
    assert_eq!(
        lines(&c, &tree),
        [
            "0 - resource:default/orders-db Expanded",
            "1 dependencyOf component:default/orders-service Expanded",
            "2 providesApi api:default/orders-api Expanded",
            "3 apiConsumedBy component:default/checkout Expanded",
            "3 apiConsumedBy component:default/reporting Expanded",
            "4 dependencyOf component:default/shop-frontend Expanded",
        ]
    );
}

#[test]
fn blast_radius_counts_entities_and_names_each_owner_once_with_oncall() {
    let c = fixture("api-consumer-provider.yaml");
    let tree = reverse(&c, id(&c, "orders-db"), DEFAULT_DEPTH);
    let imp = impact(&c, &tree);
    assert_eq!(imp.size, 5);
    let owners: Vec<(&str, usize)> = imp
        .owners
        .iter()
        .map(|o| (o.owner.reference.as_str(), o.entities))
        .collect();
    assert_eq!(
        owners,
        [
            ("group:default/orders-team", 2),
            ("group:default/shop-team", 2),
            ("group:default/data-team", 1),
        ]
    );
    assert_eq!(imp.owners[1].oncall.len(), 1);
    assert_eq!(imp.owners[1].oncall[0].value, "PSHOP01");
}

#[test]
fn blast_radius_includes_oncall_of_affected_entities_and_unresolved_owners() {
    let c = fixture("diamond.yaml");
    let imp = impact(&c, &reverse(&c, id(&c, "bottom-db"), DEFAULT_DEPTH));
    let right = imp
        .owners
        .iter()
        .find(|o| o.owner.reference.as_str() == "group:default/right-team")
        .unwrap();
    let values: Vec<&str> = right.oncall.iter().map(|o| o.value.as_str()).collect();
    assert_eq!(values, ["right-oncall", "PRIGHT1"]);
    assert_eq!(right.owner.email.as_deref(), Some("right@example.com"));

    let d = fixture("dependency-cycle.yaml");
    let imp = impact(&d, &reverse(&d, id(&d, "cycle-a"), DEFAULT_DEPTH));
    assert_eq!(imp.owners.len(), 1);
    assert_eq!(imp.owners[0].owner.reference.as_str(), "user:default/guest");
}

#[test]
fn structure_tree_goes_domain_subdomain_system_component() {
    let c = demo();
    let tree = structure(&c, id(&c, "domain:payments"), DEFAULT_DEPTH);
    let l = lines(&c, &tree);
    assert!(
        l.contains(&"1 hasPart domain:default/risk Expanded".to_string()),
        "{l:#?}"
    );
    assert!(
        l.contains(&"2 hasPart system:default/fraud-detection Expanded".to_string()),
        "{l:#?}"
    );
    assert!(
        l.contains(&"3 hasPart component:default/fraud-scoring Expanded".to_string()),
        "{l:#?}"
    );
    assert!(
        l.iter()
            .any(|x| x.contains("component:default/ledger-schema")),
        "{l:#?}"
    );
    let roots: Vec<String> = structure_roots(&c)
        .into_iter()
        .map(|r| c.get(r).entity_ref().to_string())
        .collect();
    assert_eq!(
        roots,
        [
            "domain:default/identity",
            "domain:default/payments",
            "domain:default/platform"
        ]
    );
}

#[test]
fn demo_fraud_cycle_and_dangling_ref_show_up() {
    let c = demo();
    let tree = forward(&c, id(&c, "fraud-scoring"), DEFAULT_DEPTH);
    let l = lines(&c, &tree);
    // The documented dependsOn cycle fraud-scoring -> risk-rules -> fraud-scoring, and three
    // more through APIs: risk-rules and payments-api consume fraud-scoring-grpc, which
    // fraud-scoring provides, and payments-api (provider of payment-events, which
    // fraud-scoring consumes) depends on fraud-scoring.
    let cycles: Vec<&String> = l.iter().filter(|x| x.ends_with("Cycle")).collect();
    assert_eq!(
        cycles,
        [
            "2 dependsOn component:default/fraud-scoring Cycle",
            "3 apiProvidedBy component:default/fraud-scoring Cycle",
            "3 dependsOn component:default/fraud-scoring Cycle",
            "3 consumesApi api:default/fraud-scoring-grpc Cycle",
        ],
        "{l:#?}"
    );
    let risk_rules = tree.node_of(id(&c, "risk-rules")).unwrap();
    let back = tree.nodes[risk_rules]
        .children
        .clone()
        .find(|&k| tree.nodes[k].mark == Mark::Cycle)
        .unwrap();
    assert_eq!(
        tree.nodes[back].target,
        Target::Resolved(id(&c, "fraud-scoring"))
    );
    let t = forward(&c, id(&c, "settlement-batch"), DEFAULT_DEPTH);
    let missing: Vec<&str> = t.missing().iter().map(|r| r.as_str()).collect();
    assert_eq!(missing, ["component:default/legacy-mainframe-bridge"]);
}

#[test]
fn entity_with_no_relations_is_a_lone_root() {
    let c = fixture("group-hierarchy-3-levels.yaml");
    let tree = reverse(&c, id(&c, "alice"), DEFAULT_DEPTH);
    assert_eq!(tree.nodes.len(), 1);
    assert_eq!(tree.size(), 0);
    assert_eq!(impact(&c, &tree).owners, vec![]);
}

#[test]
fn text_tree_uses_box_drawing_and_marks() {
    let c = fixture("dependency-cycle.yaml");
    let text = to_text(&c, &forward(&c, id(&c, "cycle-entry"), DEFAULT_DEPTH));
    assert_eq!(
        text,
        "component:default/cycle-entry\n\
         └── dependsOn component:default/cycle-a\n    \
             └── dependsOn component:default/cycle-b\n        \
                 └── dependsOn component:default/cycle-c\n            \
                     └── dependsOn component:default/cycle-a  ↺ cycle back-edge\n"
    );
    let d = fixture("diamond.yaml");
    let text = to_text(&d, &forward(&d, id(&d, "top"), DEFAULT_DEPTH));
    assert!(
        text.contains(
            "├── dependsOn component:default/left\n│   └── dependsOn component:default/bottom\n"
        ),
        "{text}"
    );
    assert!(text.contains("(repeated: expanded elsewhere)"), "{text}");
}

#[test]
fn json_tree_has_ref_relation_marks_and_children() {
    let c = fixture("dangling-ref.yaml");
    let v = to_json(&c, &forward(&c, id(&c, "needs-ghost"), DEFAULT_DEPTH));
    assert_eq!(v["ref"], "component:default/needs-ghost");
    assert!(v["relation"].is_null());
    assert_eq!(v["children"][0]["missing"], true);
    assert_eq!(v["children"][0]["relation"], "dependsOn");
    assert!(v["children"][2].get("missing").is_none());
    assert_eq!(v["children"].as_array().unwrap().len(), 3);
}

#[test]
fn dot_and_mermaid_list_each_edge_once() {
    let c = fixture("diamond.yaml");
    let tree = forward(&c, id(&c, "top"), DEFAULT_DEPTH);
    let dot = to_dot(&c, &tree);
    assert!(dot.starts_with("digraph deps {"));
    assert_eq!(dot.matches(" -> ").count(), 5, "{dot}");
    assert!(dot.contains(
        r#""component:default/left" -> "component:default/bottom" [label="dependsOn"];"#
    ));
    let mermaid = to_mermaid(&c, &tree);
    assert!(mermaid.starts_with("graph LR\n"));
    assert_eq!(mermaid.matches("-->").count(), 5, "{mermaid}");
    let cyc = fixture("dependency-cycle.yaml");
    let m = to_mermaid(&cyc, &forward(&cyc, id(&cyc, "cycle-a"), DEFAULT_DEPTH));
    assert!(m.contains("-.->|dependsOn (cycle)|"), "{m}");
    let dang = fixture("dangling-ref.yaml");
    let d = to_dot(
        &dang,
        &forward(&dang, id(&dang, "needs-ghost"), DEFAULT_DEPTH),
    );
    assert!(
        d.contains(r#""resource:default/ghost-db" [style=dashed];"#),
        "{d}"
    );
}
