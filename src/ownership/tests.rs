use super::*;
use crate::fixtures::{demo, fixture, id};

fn refs(parties: &[Party]) -> Vec<String> {
    parties.iter().map(|p| p.reference.to_string()).collect()
}

fn owned_refs(owned: &[Owned]) -> Vec<(String, Option<String>)> {
    owned
        .iter()
        .map(|o| {
            (
                o.reference.to_string(),
                o.via.as_ref().map(|v| v.to_string()),
            )
        })
        .collect()
}

#[test]
fn owner_card_shows_owner_contact_parents_members_links_and_oncall() {
    let c = fixture("group-hierarchy-3-levels.yaml");
    let card = owner_card(&c, id(&c, "payments-api"));
    let owner = card.owner.as_ref().unwrap();
    assert_eq!(owner.reference.as_str(), "group:default/payments-team");
    assert!(owner.resolved);
    assert_eq!(owner.name.as_deref(), Some("Payments Team"));
    assert_eq!(owner.email.as_deref(), Some("payments@acme.example"));
    assert_eq!(
        refs(&card.parents),
        ["group:default/engineering", "group:default/acme"]
    );
    assert_eq!(card.parent_loop, None);
    // alice is listed in the group's spec.members, bob lists the group in memberOf.
    assert_eq!(
        refs(&card.members),
        ["user:default/alice", "user:default/bob"]
    );
    assert_eq!(card.members[0].email.as_deref(), Some("alice@acme.example"));
    let links: Vec<&str> = card.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(
        links,
        [
            "https://chat.example/payments",
            "https://runbooks.example/payments"
        ]
    );
    let oncall: Vec<(&str, &str, &str)> = card
        .oncall
        .iter()
        .map(|o| (o.annotation.as_str(), o.value.as_str(), o.from.as_str()))
        .collect();
    assert_eq!(
        oncall,
        [
            (
                "pagerduty.com/service-id",
                "PPAY123",
                "component:default/payments-api"
            ),
            (
                "opsgenie.com/component-selector",
                "tag:payments",
                "component:default/payments-api"
            ),
            (
                "pagerduty.com/integration-key",
                "abc123",
                "group:default/payments-team"
            ),
        ]
    );
    assert_eq!(card.oncall[0].provider, OnCallProvider::PagerDuty);
    assert_eq!(card.oncall[1].provider, OnCallProvider::Opsgenie);
}

#[test]
fn unresolved_owner_is_reported_not_dropped() {
    let c = fixture("ownership-gaps.yaml");
    let card = owner_card(&c, id(&c, "ghost-owned-service"));
    let owner = card.owner.unwrap();
    assert_eq!(owner.reference.as_str(), "group:default/ghost-team");
    assert!(!owner.resolved);
    assert!(card.members.is_empty() && card.parents.is_empty() && card.links.is_empty());
}

#[test]
fn entity_without_owner_has_an_empty_card() {
    let c = fixture("ownership-gaps.yaml");
    let card = owner_card(&c, id(&c, "ownerless-template"));
    assert_eq!(card.owner, None);
    assert!(card.members.is_empty());
}

#[test]
fn user_owner_card_has_the_user_as_owner_and_no_members() {
    let c = fixture("group-hierarchy-3-levels.yaml");
    let card = owner_card(&c, id(&c, "admin-tool"));
    let owner = card.owner.unwrap();
    assert_eq!(owner.reference.as_str(), "user:default/bob");
    assert_eq!(owner.contact(), "Bob Brown <bob@acme.example>");
    assert!(card.members.is_empty() && card.parents.is_empty());
}

#[test]
fn group_card_is_about_the_group_itself() {
    let c = fixture("group-hierarchy-3-levels.yaml");
    let card = owner_card(&c, id(&c, "engineering"));
    assert_eq!(
        card.owner.unwrap().reference.as_str(),
        "group:default/engineering"
    );
    assert_eq!(refs(&card.parents), ["group:default/acme"]);
    assert_eq!(refs(&card.members), ["user:default/dana"]);
    // The group's own on-call annotation appears once, not twice.
    assert_eq!(card.oncall.len(), 1);
    assert_eq!(card.oncall[0].value, "eng-escalation");
}

#[test]
fn parent_loop_stops_the_chain_and_is_named() {
    let c = fixture("group-parent-loop.yaml");
    let card = owner_card(&c, id(&c, "orphan-service"));
    assert_eq!(refs(&card.parents), ["group:default/loop-b"]);
    assert_eq!(
        card.parent_loop.as_ref().map(EntityRef::as_str),
        Some("group:default/loop-a")
    );
    let a = id(&c, "loop-a");
    // Walking down a loop terminates too.
    assert_eq!(descendants(&c, a), vec![id(&c, "loop-b")]);
    assert_eq!(
        owned_refs(&owned_by(&c, a, true)),
        [("component:default/orphan-service".to_string(), None)]
    );
}

#[test]
fn group_owns_directly_and_through_child_groups() {
    let c = fixture("group-hierarchy-3-levels.yaml");
    let eng = id(&c, "engineering");
    assert_eq!(
        owned_refs(&owned_by(&c, eng, false)),
        [("system:default/commerce".to_string(), None)]
    );
    assert_eq!(
        owned_refs(&owned_by(&c, id(&c, "acme"), true)),
        [
            (
                "system:default/commerce".to_string(),
                Some("group:default/engineering".to_string())
            ),
            (
                "component:default/payments-api".to_string(),
                Some("group:default/payments-team".to_string())
            ),
            (
                "component:default/storefront".to_string(),
                Some("group:default/web-team".to_string())
            ),
        ]
    );
}

#[test]
fn user_in_two_groups_sees_both_groups_and_what_they_own() {
    let c = fixture("user-in-two-groups.yaml");
    let erin = id(&c, "erin");
    assert_eq!(
        refs(&groups_of(&c, erin)),
        ["group:default/blue-team", "group:default/red-team"]
    );
    assert_eq!(
        owned_refs(&owned_by(&c, erin, false)),
        [
            ("component:default/erins-script".to_string(), None),
            (
                "component:default/blue-service".to_string(),
                Some("group:default/blue-team".to_string())
            ),
            (
                "component:default/red-service".to_string(),
                Some("group:default/red-team".to_string())
            ),
        ]
    );
}

#[test]
fn gaps_name_each_reason_once_and_skip_staffed_owners() {
    let c = fixture("ownership-gaps.yaml");
    let all = gaps(&c);
    let found: Vec<(GapReason, &str)> = all.iter().map(|g| (g.reason, g.entity.as_str())).collect();
    assert_eq!(
        all[2].owner.as_ref().map(EntityRef::as_str),
        Some("component:default/fine-service")
    );
    assert!(
        all[2].message.contains("is a component"),
        "{}",
        all[2].message
    );
    assert!(
        all[0].origin.ends_with("ownership-gaps.yaml:46"),
        "{}",
        all[0].origin
    );
    assert_eq!(
        found,
        [
            (
                GapReason::UnresolvedOwner,
                "component:default/ghost-owned-service"
            ),
            (
                GapReason::OwnerHasNoMembers,
                "resource:default/unstaffed-db"
            ),
            (
                GapReason::OwnerNotAGroupOrUser,
                "api:default/component-owned-api"
            ),
        ]
    );
}

#[test]
fn members_in_a_child_group_staff_the_parent() {
    let c = fixture("group-hierarchy-3-levels.yaml");
    // engineering owns commerce; web-team below it has carol (via memberOf only).
    assert!(gaps(&c).is_empty(), "{:?}", gaps(&c));
}

#[test]
fn parent_loop_without_members_is_a_gap_and_terminates() {
    let c = fixture("group-parent-loop.yaml");
    let g = gaps(&c);
    assert_eq!(g.len(), 1);
    assert_eq!(g[0].reason, GapReason::OwnerHasNoMembers);
    assert_eq!(g[0].entity.as_str(), "component:default/orphan-service");
}

#[test]
fn demo_catalog_has_exactly_the_documented_gap() {
    let c = demo();
    let g = gaps(&c);
    let found: Vec<String> = g
        .iter()
        .map(|g| format!("{} {}", g.reason.as_str(), g.entity))
        .collect();
    assert_eq!(
        found,
        ["owner-has-no-members resource:default/analytics-warehouse"]
    );
}

#[test]
fn empty_catalog_has_no_gaps() {
    assert!(gaps(&Catalog::new()).is_empty());
}

#[test]
fn blank_oncall_annotation_is_ignored() {
    let mut c = Catalog::new();
    let (e, _) = crate::catalog::Entity::from_value(
        serde_json::json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "x", "annotations": {"pagerduty.com/service-id": "  ", "opsgenie.com/team": "ops"}},
            "spec": {"type": "service", "lifecycle": "production", "owner": "t"}}),
        crate::catalog::Origin::new("x.yaml", Some(1)),
    )
    .unwrap();
    let x = c.insert(e).unwrap();
    let oc = oncall_of(&c, x);
    assert_eq!(oc.len(), 1);
    assert_eq!(oc[0].annotation, "opsgenie.com/team");
}
