//! Ownership and dependency views over real Backstage data: the catalog-model examples in the
//! shared corpus (relations derived from specs; `IDP_TUI_CORPUS`) and a captured Backstage API
//! response in tests/data/backstage-api/ (relations given by the server).

use idp_tui::catalog::{Catalog, Entity, EntityId, Lookup, Origin};
use idp_tui::graph;
use idp_tui::ownership;
use idp_tui::source::{self, SourceSpec};
use std::path::PathBuf;

#[path = "support/corpus.rs"]
mod corpus;

fn id(c: &Catalog, name: &str) -> EntityId {
    match c.lookup(name) {
        Lookup::Found(id) => id,
        other => panic!("{name}: {other:?}"),
    }
}

fn refs(parties: &[ownership::Party]) -> Vec<&str> {
    parties.iter().map(|p| p.reference.as_str()).collect()
}

/// The entities of a captured `GET /api/catalog/entities/by-query` response.
fn server_catalog(file: &str) -> Catalog {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/backstage-api"
    ))
    .join(file);
    let text = std::fs::read_to_string(&path).expect("the fixture reads");
    let body = text
        .split_once("\r\n\r\n")
        .or_else(|| text.split_once("\n\n"))
        .map(|(_, b)| b)
        .expect("headers, a blank line, then the body");
    let doc: serde_json::Value = serde_json::from_str(body).expect("the body is JSON");
    let items = doc["items"].as_array().expect("an items array").clone();
    let origin = Origin::new(path.to_string_lossy().to_string(), None);
    let entities: Vec<Entity> = items
        .into_iter()
        .map(|v| {
            Entity::from_value(v, origin.clone())
                .expect("server entities parse")
                .0
        })
        .collect();
    Catalog::from_entities(entities, vec![])
}

#[test]
fn owner_card_from_backstage_server_relations() {
    let c = server_catalog("by-query-all-ordered.http");
    let card = ownership::owner_card(&c, id(&c, "orders-service"));
    let owner = card.owner.expect("an owner");
    assert_eq!(owner.reference.as_str(), "group:default/team-storefront");
    assert!(owner.resolved);
    assert_eq!(owner.email.as_deref(), Some("storefront@acme.example"));
    assert_eq!(
        refs(&card.parents),
        ["group:default/engineering", "group:default/acme"]
    );
    assert_eq!(
        refs(&card.members),
        [
            "user:default/bob.martins",
            "user:default/carla.diaz",
            "user:default/deepak.rao"
        ]
    );
    assert!(card.oncall.iter().any(|o| o.value == "PORDER1"));
}

#[test]
fn blast_radius_from_backstage_server_relations() {
    let c = server_catalog("by-query-all-ordered.http");
    let tree = graph::reverse(&c, id(&c, "orders-db"), graph::DEFAULT_DEPTH);
    let affected: Vec<&str> = tree
        .entities()
        .into_iter()
        .map(|e| c.get(e).metadata.name.as_str())
        .collect();
    assert!(affected.contains(&"orders-service"), "{affected:?}");
    assert!(affected.contains(&"fulfilment-worker"), "{affected:?}");
    let impact = graph::impact(&c, &tree);
    assert!(impact
        .owners
        .iter()
        .any(|o| o.owner.reference.as_str() == "group:default/team-storefront"));
}

#[test]
fn backstage_example_org_gives_a_full_parent_chain_and_memberof_members() {
    let Some(paths) = corpus::strings(&[
        "catalog-model-examples/all.yaml",
        "catalog-model-examples/acme-corp.yaml",
    ]) else {
        return;
    };
    let c = source::load_blocking(&[SourceSpec::Files {
        name: "corpus".into(),
        paths,
    }]);
    let card = ownership::owner_card(&c, id(&c, "component:artist-lookup"));
    assert_eq!(
        card.owner.as_ref().map(|o| o.reference.as_str()),
        Some("group:default/team-a")
    );
    assert_eq!(
        refs(&card.parents),
        [
            "group:default/backstage",
            "group:default/infrastructure",
            "group:default/acme-corp"
        ]
    );
    // team-a lists no spec.members: everyone here comes from users' memberOf.
    let members = refs(&card.members);
    assert!(
        members.contains(&"user:default/breanna.davison"),
        "{members:?}"
    );
    assert!(
        members.contains(&"user:default/janelle.dawe"),
        "{members:?}"
    );
    // Backstage's example org staffs every owner: no gaps.
    let gaps = ownership::gaps(&c);
    assert!(gaps.is_empty(), "{gaps:#?}");
}
