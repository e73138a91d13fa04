//! An initiative evaluated over a catalog on a given day: which entities meet its target, its
//! status and days left, the roll-up per owner, and each entity's action items ("rule R must
//! pass by DATE").

use super::initiative::{Initiative, InitiativeError, Target};
use super::schedule::Status;
use crate::catalog::{Catalog, EntityId, EntityRef};
use crate::scorecard::{self, Date, EntityScore, Level, Rule, Scoreboard, Scorecard};
use std::borrow::Borrow;
use std::collections::BTreeMap;

/// An initiative's target bound to its scorecard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Goal {
    /// Reach this level: every rule at it or below must pass.
    Level(Level),
    /// Pass these rules (indices into the scorecard's rules).
    Rules(Vec<usize>),
}

impl Goal {
    /// True when the rule at this index counts toward the goal.
    pub fn includes(&self, index: usize, rule: &Rule) -> bool {
        match self {
            Goal::Level(level) => rule.level <= *level,
            Goal::Rules(rules) => rules.contains(&index),
        }
    }
}

/// One entity in an initiative's scope.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityProgress {
    /// The entity.
    pub entity: EntityId,
    /// Its owner as its spec names it.
    pub owner: Option<EntityRef>,
    /// The rules (indices into the scorecard's rules) it still fails toward the goal.
    pub missing: Vec<usize>,
}

impl EntityProgress {
    /// True when the entity meets the target.
    pub fn passing(&self) -> bool {
        self.missing.is_empty()
    }
}

/// One owner's part of an initiative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerProgress {
    /// The owner; `None` for entities without one.
    pub owner: Option<EntityRef>,
    /// Their entities in scope.
    pub total: usize,
    /// How many of them meet the target.
    pub passing: usize,
}

impl OwnerProgress {
    /// How many still fail.
    pub fn failing(&self) -> usize {
        self.total - self.passing
    }
}

/// Something one entity must do for an initiative: a rule to make pass by the deadline.
#[derive(Debug, Clone)]
pub struct ActionItem<'a> {
    /// The entity.
    pub entity: EntityId,
    /// The rule that fails.
    pub rule: &'a Rule,
    /// Why it fails today.
    pub message: Option<String>,
    /// The deadline.
    pub due: Date,
}

/// An initiative evaluated over a catalog on one day.
#[derive(Debug, Clone)]
pub struct Progress<'a> {
    /// The initiative.
    pub initiative: &'a Initiative,
    /// Its scorecard.
    pub scorecard: &'a Scorecard,
    /// Its target bound to the scorecard.
    pub goal: Goal,
    /// Every entity in scope, in catalog order.
    pub entities: Vec<EntityProgress>,
    /// Outcome messages of the failing rules, parallel to `entities[i].missing`.
    messages: Vec<Vec<Option<String>>>,
    /// How many entities meet the target.
    pub passing: usize,
    /// The status on the day of evaluation.
    pub status: Status,
    /// Days to the deadline (0 on it, negative after).
    pub days_left: i64,
    /// The share (0 to 1) expected by the path to the deadline on that day.
    pub expected: f64,
}

/// Finds an initiative's scorecard and binds its target to it.
pub fn bind<'c>(
    initiative: &Initiative,
    cards: &'c [Scorecard],
) -> Result<(&'c Scorecard, Goal), InitiativeError> {
    let at = |field: &str, message: String| InitiativeError::at(&initiative.origin, field, message);
    let card = cards
        .iter()
        .find(|c| c.name == initiative.scorecard)
        .ok_or_else(|| {
            at(
                "spec.scorecard",
                format!(
                    "no scorecard named {:?} is loaded (loaded: {})",
                    initiative.scorecard,
                    cards
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
    let goal = match &initiative.target {
        Target::Level(name) => Goal::Level(card.level_by_name(name).ok_or_else(|| {
            at(
                "spec.target.level",
                format!(
                    "scorecard {} has no level {name:?}; its levels are {}",
                    card.name,
                    card.levels.join(", ")
                ),
            )
        })?),
        Target::Rules(ids) => Goal::Rules(
            ids.iter()
                .map(|id| {
                    card.rules.iter().position(|r| &r.id == id).ok_or_else(|| {
                        at(
                            "spec.target.rules",
                            format!("scorecard {} has no rule {id:?}", card.name),
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
    };
    Ok((card, goal))
}

impl<'a> Progress<'a> {
    /// Evaluates an initiative on `today`: its scope is the entities its scorecard applies to
    /// that also match its own filter.
    pub fn evaluate(
        initiative: &'a Initiative,
        cards: &'a [Scorecard],
        catalog: &Catalog,
        today: Date,
    ) -> Result<Progress<'a>, InitiativeError> {
        let (card, goal) = bind(initiative, cards)?;
        let scores = catalog
            .ids()
            .filter(|&id| card.applies_to(catalog.get(id)))
            .map(|id| scorecard::evaluate(card, catalog, id, today));
        Ok(Self::collect(
            initiative, card, goal, scores, catalog, today,
        ))
    }

    /// Like [`Progress::evaluate`], but from scores already computed (the portal's
    /// [`Scoreboard`], which scores the catalog off the UI thread, live rules included): no rule
    /// is evaluated again, so this is a pass over the scorecard's results. `None` while the
    /// board has no results yet (it is scoring).
    pub fn from_board(
        initiative: &'a Initiative,
        board: &'a Scoreboard,
        catalog: &Catalog,
        today: Date,
    ) -> Option<Result<Progress<'a>, InitiativeError>> {
        let (card, goal) = match bind(initiative, &board.cards) {
            Ok(bound) => bound,
            Err(e) => return Some(Err(e)),
        };
        let index = board.cards.iter().position(|c| std::ptr::eq(c, card))?;
        let report = board.reports.get(index)?;
        Some(Ok(Self::collect(
            initiative,
            card,
            goal,
            report.scores.iter(),
            catalog,
            today,
        )))
    }

    /// Builds the progress from the scores of the entities the scorecard applies to (in
    /// catalog order), keeping those the initiative's own filter matches.
    fn collect(
        initiative: &'a Initiative,
        card: &'a Scorecard,
        goal: Goal,
        scores: impl Iterator<Item = impl Borrow<EntityScore>>,
        catalog: &Catalog,
        today: Date,
    ) -> Progress<'a> {
        let mut entities = Vec::new();
        let mut messages = Vec::new();
        for score in scores {
            let score = score.borrow();
            let id = score.entity;
            if !initiative.filter.iter().all(|t| t.matches(catalog.get(id))) {
                continue;
            }
            let (missing, why): (Vec<usize>, Vec<Option<String>>) = card
                .rules
                .iter()
                .zip(&score.outcomes)
                .enumerate()
                .filter(|(i, (rule, o))| goal.includes(*i, rule) && !o.counts_as_passed())
                .map(|(i, (_, o))| (i, o.message()))
                .unzip();
            entities.push(EntityProgress {
                entity: id,
                owner: catalog.owner_ref(id).cloned(),
                missing,
            });
            messages.push(why);
        }
        let passing = entities.iter().filter(|e| e.passing()).count();
        let schedule = &initiative.schedule;
        Progress {
            initiative,
            scorecard: card,
            goal,
            status: schedule.status(passing, entities.len(), today),
            days_left: schedule.days_left(today),
            expected: schedule.expected_share(today),
            passing,
            entities,
            messages,
        }
    }

    /// How many entities are in scope.
    pub fn total(&self) -> usize {
        self.entities.len()
    }

    /// The share of entities meeting the target, 0 to 100 (100 when the scope is empty).
    pub fn percent(&self) -> f64 {
        if self.entities.is_empty() {
            100.0
        } else {
            self.passing as f64 * 100.0 / self.entities.len() as f64
        }
    }

    /// Per owner, most failing entities first (then by owner).
    pub fn by_owner(&self) -> Vec<OwnerProgress> {
        let mut owners: BTreeMap<Option<EntityRef>, OwnerProgress> = BTreeMap::new();
        for e in &self.entities {
            let o = owners
                .entry(e.owner.clone())
                .or_insert_with(|| OwnerProgress {
                    owner: e.owner.clone(),
                    total: 0,
                    passing: 0,
                });
            o.total += 1;
            o.passing += usize::from(e.passing());
        }
        let mut out: Vec<OwnerProgress> = owners.into_values().collect();
        out.sort_by(|a, b| {
            b.failing()
                .cmp(&a.failing())
                .then_with(|| a.owner.cmp(&b.owner))
        });
        out
    }

    /// The action items of the failing entities, in catalog order then rule order.
    pub fn action_items(&self) -> Vec<ActionItem<'a>> {
        let due = self.initiative.schedule.deadline;
        let mut out = Vec::new();
        for (e, why) in self.entities.iter().zip(&self.messages) {
            for (&rule, message) in e.missing.iter().zip(why) {
                if let Some(rule) = self.scorecard.rules.get(rule) {
                    out.push(ActionItem {
                        entity: e.entity,
                        rule,
                        message: message.clone(),
                        due,
                    });
                }
            }
        }
        out
    }

    /// The action items of one entity (none when it is out of scope or passing).
    pub fn action_items_for(&self, id: EntityId) -> Vec<ActionItem<'a>> {
        self.action_items()
            .into_iter()
            .filter(|a| a.entity == id)
            .collect()
    }
}

/// One entity's action items across initiatives, without evaluating the rest of the catalog:
/// what an entity page lists ("for <initiative>: rule R must pass by DATE"). Drafts and
/// initiatives whose scorecard, level or rules do not bind are left out; items come in
/// initiative order, then rule order.
pub fn entity_action_items<'a>(
    initiatives: &'a [Initiative],
    cards: &'a [Scorecard],
    catalog: &Catalog,
    id: EntityId,
    today: Date,
) -> Vec<(&'a Initiative, ActionItem<'a>)> {
    let entity = catalog.get(id);
    let mut out = Vec::new();
    for initiative in initiatives.iter().filter(|i| !i.schedule.draft) {
        let Ok((card, goal)) = bind(initiative, cards) else {
            continue;
        };
        if !card.applies_to(entity) || !initiative.filter.iter().all(|t| t.matches(entity)) {
            continue;
        }
        let score = scorecard::evaluate(card, catalog, id, today);
        for (i, (rule, outcome)) in card.rules.iter().zip(&score.outcomes).enumerate() {
            if goal.includes(i, rule) && !outcome.counts_as_passed() {
                out.push((
                    initiative,
                    ActionItem {
                        entity: id,
                        rule,
                        message: outcome.message(),
                        due: initiative.schedule.deadline,
                    },
                ));
            }
        }
    }
    out
}

/// How many entities in scope meet an initiative's target and how many are in scope, read
/// from scores already computed (the portal's [`Scoreboard`]): what a list row needs, without
/// collecting owners, messages or action items ([`Progress::from_board`] does). `None` while
/// the board is scoring.
pub fn tally_from_board(
    initiative: &Initiative,
    board: &Scoreboard,
    catalog: &Catalog,
) -> Option<Result<(usize, usize), InitiativeError>> {
    let (card, goal) = match bind(initiative, &board.cards) {
        Ok(bound) => bound,
        Err(e) => return Some(Err(e)),
    };
    let index = board.cards.iter().position(|c| std::ptr::eq(c, card))?;
    let report = board.reports.get(index)?;
    let (mut passing, mut total) = (0, 0);
    for score in &report.scores {
        if !initiative
            .filter
            .iter()
            .all(|t| t.matches(catalog.get(score.entity)))
        {
            continue;
        }
        total += 1;
        let meets = card
            .rules
            .iter()
            .zip(&score.outcomes)
            .enumerate()
            .all(|(i, (rule, o))| !goal.includes(i, rule) || o.counts_as_passed());
        passing += usize::from(meets);
    }
    Some(Ok((passing, total)))
}

/// One entity's action items across initiatives, read from scores already computed (the
/// portal's [`Scoreboard`]): what its Scorecard tab lists. The same items as
/// [`entity_action_items`], without evaluating a rule; empty while the board is scoring.
pub fn board_action_items<'a>(
    initiatives: &'a [Initiative],
    board: &'a Scoreboard,
    catalog: &Catalog,
    id: EntityId,
) -> Vec<(&'a Initiative, ActionItem<'a>)> {
    let entity = catalog.get(id);
    let mut out = Vec::new();
    for initiative in initiatives.iter().filter(|i| !i.schedule.draft) {
        let Ok((card, goal)) = bind(initiative, &board.cards) else {
            continue;
        };
        let Some(score) = board
            .cards
            .iter()
            .position(|c| std::ptr::eq(c, card))
            .and_then(|i| board.reports.get(i))
            .and_then(|r| r.get(id))
        else {
            continue;
        };
        if !initiative.filter.iter().all(|t| t.matches(entity)) {
            continue;
        }
        for (i, (rule, outcome)) in card.rules.iter().zip(&score.outcomes).enumerate() {
            if goal.includes(i, rule) && !outcome.counts_as_passed() {
                out.push((
                    initiative,
                    ActionItem {
                        entity: id,
                        rule,
                        message: outcome.message(),
                        due: initiative.schedule.deadline,
                    },
                ));
            }
        }
    }
    out
}
