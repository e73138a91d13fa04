//! Evaluating scorecards over a catalog: per-rule outcomes, levels, scores, and the roll-ups
//! built on them (per owner, per rule, what is missing for the next level).

use super::check::Subject;
use super::model::{Level, Rule, Scorecard};
use super::waiver::{Date, Waiver};
use crate::catalog::{Catalog, EntityId, EntityRef};
use std::collections::BTreeMap;

/// How one rule came out for one entity.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The check passed.
    Passed,
    /// The check failed but a valid waiver exempts the entity.
    Waived {
        /// The waiver's reason.
        reason: String,
        /// Its last day.
        until: Date,
    },
    /// The check failed (and no valid waiver applies): why, naming the path and what was found.
    Failed(String),
    /// The check needs live data that is not known (a provider failed, or nothing is cached):
    /// neither passed nor failed. It leaves the score alone but holds the level below it.
    Unknown(String),
}

impl Verdict {
    /// True when the rule counts as passed (passed or waived).
    pub fn counts_as_passed(&self) -> bool {
        matches!(self, Verdict::Passed | Verdict::Waived { .. })
    }

    /// The message to show: why it failed, or the waiver's reason; `None` when it passed.
    pub fn message(&self) -> Option<String> {
        match self {
            Verdict::Passed => None,
            Verdict::Waived { reason, until } => Some(format!("waived until {until}: {reason}")),
            Verdict::Failed(why) => Some(why.clone()),
            Verdict::Unknown(why) => Some(format!("unknown: {why}")),
        }
    }
}

/// One entity's result on one scorecard.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityScore {
    /// The entity.
    pub entity: EntityId,
    /// The highest level reached, `None` below the first.
    pub level: Option<Level>,
    /// The weighted share of rules passed, 0 to 100.
    pub score: f64,
    /// One outcome per rule, in the scorecard's rule order.
    pub outcomes: Vec<Verdict>,
}

impl EntityScore {
    /// The level to reach next (`None` at the top), with exactly the rules of that level that
    /// fail: what "to reach Silver: …" lists.
    pub fn next_level<'s>(&self, card: &'s Scorecard) -> Option<(Level, Vec<&'s Rule>)> {
        let next = self.level.map_or(0, |l| l.index() + 1);
        if next >= card.levels.len() {
            return None;
        }
        let next = Level(next as u8);
        let failing = card
            .rules
            .iter()
            .zip(&self.outcomes)
            .filter(|(r, o)| r.level == next && !o.counts_as_passed())
            .map(|(r, _)| r)
            .collect();
        Some((next, failing))
    }

    /// True when the entity is at `level` or above.
    pub fn reaches(&self, level: Level) -> bool {
        self.level.is_some_and(|l| l >= level)
    }
}

/// Evaluates one scorecard for one entity, as of `today` (for waivers). Does not look at the
/// filter: see [`Scorecard::applies_to`].
pub fn evaluate(card: &Scorecard, catalog: &Catalog, id: EntityId, today: Date) -> EntityScore {
    evaluate_live(card, catalog, id, today, None)
}

/// [`evaluate`] with the entity's live data, for scorecards with live rules.
pub fn evaluate_live(
    card: &Scorecard,
    catalog: &Catalog,
    id: EntityId,
    today: Date,
    live: Option<&crate::live::Report>,
) -> EntityScore {
    let entity = catalog.get(id);
    let subject = Subject { catalog, id, live };
    let mut outcomes = Vec::with_capacity(card.rules.len());
    let mut total = 0.0;
    let mut passed = 0.0;
    // The lowest level with a failing rule: the entity stops below it.
    let mut first_failing: Option<Level> = None;
    for rule in &card.rules {
        if let Some(why) = rule.check.unknown(subject) {
            // Not counted in the score either way; the level stops below it, as nobody knows.
            if !matches!(first_failing, Some(l) if l <= rule.level) {
                first_failing = Some(rule.level);
            }
            outcomes.push(Verdict::Unknown(why));
            continue;
        }
        let outcome = match rule.check.eval(subject) {
            Ok(()) => Verdict::Passed,
            Err(why) => match entity.metadata.annotations.get(&rule.waiver_key) {
                None => Verdict::Failed(why),
                Some(value) => match Waiver::parse(value, today) {
                    Waiver::Valid { reason, until } => Verdict::Waived { reason, until },
                    Waiver::Expired { reason, until } => Verdict::Failed(format!(
                        "{why} (the waiver \"{reason}\" expired on {until})"
                    )),
                    Waiver::Malformed { value } => Verdict::Failed(format!(
                        "{why} (the waiver annotation {} is malformed: {:?} should read \"<reason> until YYYY-MM-DD\")",
                        rule.waiver_key,
                        crate::text::truncate(&crate::text::one_line(&value), 80)
                    )),
                },
            },
        };
        total += rule.weight;
        if outcome.counts_as_passed() {
            passed += rule.weight;
        } else if !matches!(first_failing, Some(l) if l <= rule.level) {
            first_failing = Some(rule.level);
        }
        outcomes.push(outcome);
    }
    let top = card.levels.len().saturating_sub(1);
    let level = match first_failing {
        None => Some(Level(top as u8)),
        Some(Level(0)) => None,
        Some(Level(n)) => Some(Level(n - 1)),
    };
    EntityScore {
        entity: id,
        level,
        score: if total > 0.0 {
            passed * 100.0 / total
        } else {
            100.0
        },
        outcomes,
    }
}

/// One scorecard evaluated over every entity it applies to.
#[derive(Debug, Clone)]
pub struct Report {
    /// The entities' results, in catalog order.
    pub scores: Vec<EntityScore>,
}

impl Report {
    /// Evaluates a scorecard over the whole catalog.
    pub fn build(card: &Scorecard, catalog: &Catalog, today: Date) -> Report {
        Self::build_live(card, catalog, today, |_| None)
    }

    /// [`Report::build`] with each entity's live data from `live` (asked only when the
    /// scorecard has live rules).
    pub fn build_live(
        card: &Scorecard,
        catalog: &Catalog,
        today: Date,
        live: impl Fn(EntityId) -> Option<crate::live::Report>,
    ) -> Report {
        let uses_live = card.rules.iter().any(|r| r.check.uses_live());
        let scores = catalog
            .ids()
            .filter(|&id| {
                // Scoring after a load can wait: it pauses while the user types.
                if id.index() % 512 == 0 {
                    crate::background::yield_to_user();
                }
                card.applies_to(catalog.get(id))
            })
            .map(|id| {
                let facts = if uses_live { live(id) } else { None };
                evaluate_live(card, catalog, id, today, facts.as_ref())
            })
            .collect();
        Report { scores }
    }

    /// How many entities stand at each level: index 0 is "below the first level", index `i + 1`
    /// is level `i`.
    pub fn distribution(&self, card: &Scorecard) -> Vec<usize> {
        let mut counts = vec![0; card.levels.len() + 1];
        for s in &self.scores {
            counts[s.level.map_or(0, |l| l.index() + 1)] += 1;
        }
        counts
    }

    /// Per owner (as each entity's spec names it; `None` for entities without an owner): the
    /// roll-up, best average score first.
    pub fn by_owner(&self, card: &Scorecard, catalog: &Catalog) -> Vec<OwnerRollup> {
        let mut groups: BTreeMap<Option<EntityRef>, OwnerRollup> = BTreeMap::new();
        for s in &self.scores {
            let owner = catalog.owner_ref(s.entity).cloned();
            let r = groups.entry(owner.clone()).or_insert_with(|| OwnerRollup {
                owner,
                entities: 0,
                average: 0.0,
                levels: vec![0; card.levels.len() + 1],
            });
            r.entities += 1;
            r.average += s.score;
            r.levels[s.level.map_or(0, |l| l.index() + 1)] += 1;
        }
        let mut out: Vec<OwnerRollup> = groups
            .into_values()
            .map(|mut r| {
                r.average /= r.entities as f64;
                r
            })
            .collect();
        out.sort_by(|a, b| {
            b.average
                .total_cmp(&a.average)
                .then_with(|| a.owner.cmp(&b.owner))
        });
        out
    }

    /// Per rule (in the scorecard's order): the entities failing it (waived ones do not fail).
    pub fn failing_by_rule(&self) -> Vec<Vec<EntityId>> {
        let rules = self.scores.first().map_or(0, |s| s.outcomes.len());
        let mut out = vec![Vec::new(); rules];
        for s in &self.scores {
            for (i, o) in s.outcomes.iter().enumerate() {
                if matches!(o, Verdict::Failed(_)) {
                    out[i].push(s.entity);
                }
            }
        }
        out
    }

    /// The result for one entity, if the scorecard applies to it.
    pub fn get(&self, id: EntityId) -> Option<&EntityScore> {
        self.scores
            .binary_search_by_key(&id, |s| s.entity)
            .ok()
            .map(|i| &self.scores[i])
    }
}

/// One owner's standing on a scorecard.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnerRollup {
    /// The owner as the entities name it; `None` for entities without an owner.
    pub owner: Option<EntityRef>,
    /// How many of the owner's entities the scorecard applies to.
    pub entities: usize,
    /// Their average score.
    pub average: f64,
    /// How many stand at each level (index 0: below the first level; `i + 1`: level `i`).
    pub levels: Vec<usize>,
}
