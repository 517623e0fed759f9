//! Running a command over the tenants of a fleet: at most `in_flight` tenants at once, each on
//! a thread of its own (the clients are blocking), their outcomes handed back in the fleet's
//! order whatever order they finish in.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError, mpsc};

use crate::error::{CliError, CliResult};

/// How the tenants are run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// Tenants in the fleet.
    pub(crate) count: usize,
    /// Tenants read at once.
    pub(crate) in_flight: usize,
    /// How far past the first tenant not yet handed back a tenant may start: what waits for
    /// its turn (an export's spooled files) stays bounded.
    pub(crate) ahead: usize,
}

/// Runs `work` for each tenant index on up to `plan.in_flight` threads and hands each outcome
/// to `commit` in index order (a worker that panicked gives an error). Once `commit` breaks,
/// `stop` is set, no tenant starts any more, and the outcomes still to come are dropped: the
/// workers should watch `stop`. Fails only when no thread can be started.
pub(crate) fn run_ordered<R: Send>(
    plan: Plan,
    stop: &AtomicBool,
    work: impl Fn(usize) -> R + Sync,
    mut commit: impl FnMut(usize, CliResult<R>) -> ControlFlow<()>,
) -> CliResult {
    let workers = plan.in_flight.min(plan.count).max(1);
    let ahead = plan.ahead.max(workers);
    let (jobs, job_queue) = mpsc::channel::<usize>();
    let job_queue = Mutex::new(job_queue);
    let (done, outcomes) = mpsc::channel::<(usize, CliResult<R>)>();
    std::thread::scope(|scope| {
        let mut started = 0;
        for n in 0..workers {
            let done = done.clone();
            let (job_queue, work) = (&job_queue, &work);
            let spawned = std::thread::Builder::new()
                .name(format!("tenant-{n}"))
                .spawn_scoped(scope, move || {
                    loop {
                        let next = job_queue
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .recv();
                        let Ok(index) = next else { break };
                        let outcome =
                            catch_unwind(AssertUnwindSafe(|| work(index))).map_err(|_| {
                                CliError::runtime("the tenant's reader stopped unexpectedly")
                            });
                        if done.send((index, outcome)).is_err() {
                            break;
                        }
                    }
                });
            if spawned.is_ok() {
                started += 1;
            }
        }
        drop(done);
        if started == 0 {
            return Err(CliError::runtime("cannot start a thread for the tenants"));
        }
        let mut jobs = Some(jobs);
        let (mut sent, mut committed) = (0, 0);
        let mut waiting = BTreeMap::new();
        let mut halted = false;
        loop {
            if halted {
                jobs = None;
            }
            if let Some(queue) = &jobs {
                while sent < plan.count && sent < committed + ahead && queue.send(sent).is_ok() {
                    sent += 1;
                }
                if sent == plan.count {
                    jobs = None;
                }
            }
            if committed == plan.count {
                break;
            }
            let Ok((index, outcome)) = outcomes.recv() else {
                break;
            };
            if halted {
                continue;
            }
            waiting.insert(index, outcome);
            while let Some(outcome) = waiting.remove(&committed) {
                committed += 1;
                if commit(committed - 1, outcome).is_break() {
                    halted = true;
                    stop.store(true, Ordering::SeqCst);
                    waiting.clear();
                    break;
                }
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::time::Duration;

    use super::*;

    #[test]
    fn outcomes_come_back_in_order_whatever_order_they_finish_in() {
        let stop = AtomicBool::new(false);
        let mut seen = Vec::new();
        let plan = Plan {
            count: 20,
            in_flight: 4,
            ahead: 6,
        };
        run_ordered(
            plan,
            &stop,
            |i| {
                // The earlier tenants are the slower ones.
                std::thread::sleep(Duration::from_millis(u64::try_from(20 - i).unwrap()));
                i * 10
            },
            |i, outcome| {
                seen.push((i, outcome.unwrap()));
                ControlFlow::Continue(())
            },
        )
        .unwrap();
        assert_eq!(seen, (0..20).map(|i| (i, i * 10)).collect::<Vec<_>>());
    }

    #[test]
    fn a_break_stops_the_fleet() {
        let stop = AtomicBool::new(false);
        let started = std::sync::atomic::AtomicUsize::new(0);
        let mut committed = 0;
        let plan = Plan {
            count: 100,
            in_flight: 2,
            ahead: 2,
        };
        run_ordered(
            plan,
            &stop,
            |_| {
                started.fetch_add(1, Ordering::SeqCst);
            },
            |i, _| {
                committed += 1;
                if i == 3 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .unwrap();
        assert_eq!(committed, 4);
        assert!(stop.load(Ordering::SeqCst));
        assert!(
            started.load(Ordering::SeqCst) <= 4 + 2,
            "no tenant starts after the break"
        );
    }
}
