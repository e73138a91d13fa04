//! The app's side of the one road back: every [`Reply`] a task sends comes here through
//! `update`, and goes to whoever asked. The app's own work (a rebuilt catalog, scores, search
//! results, a command's output) is taken here; the rest goes to the panes from the top, each
//! seeing it in its `handle` as `Action::Reply`, until one takes it (it knows its own by the
//! token, job number or entity it asked with). A reply nobody takes is dropped: its pane was
//! closed.

use super::{Action, App, Outcome};
use crate::scaffolder::jobs::JobDone;
use crate::tui::panes::output::OutputView;
use crate::tui::remote_task::RemoteUpdate;
use crate::tui::reply::Reply;
use crate::tui::widgets::wrap::safe_line;

impl App {
    /// Routes a reply to whoever asked.
    pub(super) fn reply(&mut self, reply: Reply) {
        match reply {
            Reply::Rebuilt(built) => self.rebuilt(*built),
            Reply::Scored(scored) => self.rescored(*scored),
            Reply::Search(done) => self.search_done(done),
            Reply::Live(report) => {
                self.data.live.insert(*report);
                // Live rules are scored again on the new facts, after the next frame.
                self.pending.scores_due |= self.data.scores.uses_live();
                // Panes that derive rows from live data (the Ownership tab) derive them again.
                self.tell_panes(&Action::LiveChanged);
            }
            Reply::Edited(edited) => self.edited(edited),
            Reply::FilesChanged(ids) => self.files_changed(ids),
            Reply::Command(plan, finished) => {
                let code = finished.code;
                self.push(Box::new(OutputView::new(&plan, finished)));
                self.status_info(format!(
                    "{} finished ({})",
                    safe_line(&plan.title),
                    code.map_or("killed".to_string(), |c| format!("exit {c}"))
                ));
            }
            reply => {
                // A draft that could not be saved is said in the status line too.
                if let Reply::Scaffold(JobDone::Draft(saved)) = &reply {
                    if let Err(e) = &saved.result {
                        self.status_error(e.clone());
                    }
                }
                self.hand_to_panes(Action::Reply(reply));
            }
        }
    }

    /// Hands a reply to the panes from the top until one takes it, and applies what that pane
    /// answers.
    fn hand_to_panes(&mut self, reply: Action) {
        let (stack, _, ctx) = self.panes_and_ctx();
        let taken = stack
            .iter_mut()
            .enumerate()
            .rev()
            .map(|(i, view)| (i, view.handle(&reply, &ctx)))
            .find(|(_, outcome)| !matches!(outcome, Outcome::Ignored));
        let Some((i, outcome)) = taken else {
            return;
        };
        match outcome {
            Outcome::Pop => self.close_at(i),
            Outcome::PopWith(message) => {
                self.close_at(i);
                self.status_info(message);
            }
            Outcome::PassDown => {
                self.close_at(i);
                self.pass_down(i, &reply);
            }
            outcome => {
                if let Some(task) = self.apply(outcome, Action::Tick) {
                    self.pending.asked.push(task);
                }
            }
        }
    }

    /// Closes the pane at `i` of the stack (a reply may close a pane under the focused one).
    fn close_at(&mut self, i: usize) {
        if i < self.screen.stack.len() {
            let view = self.screen.stack.remove(i);
            self.close(view);
        }
    }

    /// The pane at `closed` closed and hands its reply to the pane that was below it (a run the
    /// server refused: the form marks the refused fields); when that pane does not take it,
    /// the status line says what was refused.
    fn pass_down(&mut self, closed: usize, reply: &Action) {
        let (stack, _, ctx) = self.panes_and_ctx();
        let below = closed.checked_sub(1).and_then(|b| stack.get_mut(b));
        let outcome = below.map_or(Outcome::Ignored, |view| view.handle(reply, &ctx));
        match outcome {
            Outcome::Ignored => {
                if let Action::Reply(Reply::TemplateRun(_, RemoteUpdate::Invalid(errors))) = reply {
                    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
                    self.status_error(format!(
                        "the server refused the values: {}",
                        messages.join("; ")
                    ));
                }
            }
            outcome => {
                if let Some(task) = self.apply(outcome, Action::Tick) {
                    self.pending.asked.push(task);
                }
            }
        }
    }
}
