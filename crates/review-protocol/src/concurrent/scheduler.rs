//! The scheduler of a concurrent walk: which request to send, under which ticket, when to wait,
//! and which items are ready, in the walk's own order.

use std::collections::{HashMap, VecDeque};

use jiff::Timestamp;

use super::budget::{Budget, Room};
use super::lane::{Books, Lane, Slot, State};
use super::limit::Limit;
use super::settings::Concurrency;
use crate::{MergeStats, Throttle, Walk};

/// Names a request in flight, for [`Concurrent::answered`] and [`Concurrent::refused`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ticket(u64);

/// What a driver of a [`Concurrent`] walk does next.
#[derive(Debug)]
pub enum Next<R> {
    /// Send this request; report its result under the ticket.
    Send(Ticket, R),
    /// Send nothing now: wait for an answer in flight, or until `until` (a pause after a
    /// throttle), whichever comes first. `until: None` means an answer is in flight.
    Wait {
        /// When sending may resume; `None` when only an answer can change anything.
        until: Option<Timestamp>,
    },
    /// The walk is over: every item was made ready. Requests still in flight were guesses
    /// that are no longer needed.
    Done,
}

/// What a concurrent run did, for progress lines and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConcurrentStats {
    /// Requests sent.
    pub sent: u64,
    /// Pages answered.
    pub answered: u64,
    /// Throttles met.
    pub refused: u64,
    /// The most throttles one request met in a row.
    pub longest_refusal_run: u32,
    /// Answers not needed after all: guesses a surprise proved wrong.
    pub wasted: u64,
    /// Lanes read, the first included.
    pub lanes: u64,
    /// The most requests in flight at once.
    pub peak_in_flight: usize,
    /// The limit on requests in flight now.
    pub limit: usize,
    /// The most pages held ahead of their turn at once.
    pub peak_held: usize,
    /// The requests a quota window lets through, as learnt from the platform's quota
    /// refusals; `None` when none came.
    pub window_budget: Option<u64>,
}

/// A [`Walk`] read with many requests in flight, its items in its own order (see the
/// [module](super) documentation).
pub struct Concurrent<W: Walk> {
    /// The lanes, the head first, each holding the windows that follow the previous one's.
    lanes: VecDeque<Lane<W>>,
    /// Items handed out in order, waiting for the driver.
    ready: VecDeque<W::Item>,
    settings: Concurrency,
    limit: Limit,
    budget: Budget,
    held: usize,
    in_flight: usize,
    orphans: HashMap<u64, i64>,
    next_ticket: u64,
    paused_until: Option<Timestamp>,
    busy_in_a_row: u32,
    /// The second the lanes' walks were last advanced to.
    advanced: Option<i64>,
    /// The merged reports of the lanes that are done.
    retired: Option<W::Stats>,
    stats: ConcurrentStats,
}

impl<W> Concurrent<W>
where
    W: Walk,
    W::Request: PartialEq + Clone,
    W::Stats: MergeStats + Clone,
{
    /// Reads `walk` within `settings`.
    pub fn new(walk: W, settings: Concurrency) -> Self {
        let mut concurrent = Self {
            lanes: VecDeque::new(),
            ready: VecDeque::new(),
            settings,
            limit: Limit::new(settings.max_in_flight()),
            budget: Budget::new(i64::try_from(settings.window().as_millis()).unwrap_or(i64::MAX)),
            held: 0,
            in_flight: 0,
            orphans: HashMap::new(),
            next_ticket: 0,
            paused_until: None,
            busy_in_a_row: 0,
            advanced: None,
            retired: None,
            stats: ConcurrentStats {
                lanes: 1,
                ..ConcurrentStats::default()
            },
        };
        concurrent.lanes.push_back(Lane::new(walk));
        concurrent.sync(0);
        concurrent.promote();
        concurrent
    }

    /// What to do next, at `now`.
    pub fn next(&mut self, now: Timestamp) -> Next<W::Request> {
        self.advance(now);
        if self.lanes.is_empty() {
            return Next::Done;
        }
        if let Some(until) = self.paused_until {
            if now < until {
                return Next::Wait { until: Some(until) };
            }
            self.paused_until = None;
        }
        if self.in_flight >= self.limit.current() {
            return Next::Wait { until: None };
        }
        let fresh_only = match self.budget.room(now) {
            Room::Any => false,
            Room::Probe => true,
            Room::Full(until) => return Next::Wait { until: Some(until) },
        };
        loop {
            if let Some(request) = self.send(now, fresh_only) {
                return request;
            }
            if !self.split() {
                // A probe needs a request never refused; without one, the next window.
                let until = fresh_only.then(|| self.budget.next_start(now));
                return Next::Wait { until };
            }
        }
    }

    /// Takes the answer to the request sent under `ticket`.
    pub fn answered(&mut self, ticket: Ticket, page: W::Page) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.stats.answered = self.stats.answered.saturating_add(1);
        if let Some(window) = self.orphans.remove(&ticket.0) {
            self.budget.granted(window);
            self.stats.wasted = self.stats.wasted.saturating_add(1);
            return;
        }
        let Some((lane, slot)) = self.find(ticket) else {
            return;
        };
        if let Some(slot) = self
            .lanes
            .get_mut(lane)
            .and_then(|lane| lane.slots.get_mut(slot))
        {
            let (window, in_turn) = match slot.state {
                State::Sent {
                    window, in_turn, ..
                } => (Some(window), in_turn),
                _ => (None, false),
            };
            if let Some(window) = window {
                self.budget.granted(window);
            }
            slot.state = State::Answered { page, in_turn };
            slot.refusals = 0;
        }
        self.held = self.held.saturating_add(1);
        self.stats.peak_held = self.stats.peak_held.max(self.held);
        self.limit.grow();
        self.busy_in_a_row = 0;
        self.sync(lane);
        self.promote();
    }

    /// Takes a throttle of the request sent under `ticket` at `now`: the request goes back to
    /// the queue, the limit halves (once per round) and sending pauses (see the
    /// [module](super) documentation). Returns `false` when the request has now been refused
    /// [`Concurrency::max_refusals`] times in a row: give the walk up with the error.
    pub fn refused(&mut self, ticket: Ticket, throttle: Throttle, now: Timestamp) -> bool {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.stats.refused = self.stats.refused.saturating_add(1);
        if let Some(window) = self.orphans.remove(&ticket.0) {
            if throttle == Throttle::Quota {
                self.budget.refused(window);
            }
            self.stats.wasted = self.stats.wasted.saturating_add(1);
            return true;
        }
        let Some(slot) = self
            .find(ticket)
            .and_then(|(lane, slot)| self.lanes.get_mut(lane)?.slots.get_mut(slot))
        else {
            return true;
        };
        slot.refusals = slot.refusals.saturating_add(1);
        let refusals = slot.refusals;
        let (round, window) = match slot.state {
            State::Sent { round, window, .. } => (round, Some(window)),
            _ => (self.limit.round(), None),
        };
        slot.state = State::Queued;
        self.stats.longest_refusal_run = self.stats.longest_refusal_run.max(refusals);
        if refusals >= self.settings.refusals() {
            return false;
        }
        self.limit.throttled(round);
        let resume = match throttle {
            Throttle::Quota => {
                if let Some(window) = window {
                    self.budget.refused(window);
                }
                self.budget.next_start(now)
            }
            _ => {
                self.busy_in_a_row = self.busy_in_a_row.saturating_add(1);
                now.saturating_add(self.settings.busy_wait(self.busy_in_a_row))
                    .unwrap_or(now)
            }
        };
        self.paused_until = Some(self.paused_until.map_or(resume, |until| until.max(resume)));
        true
    }

    /// The items ready to hand out, in the walk's order.
    pub fn ready(&mut self) -> impl Iterator<Item = W::Item> + '_ {
        self.ready.drain(..)
    }

    /// Whether the walk is over (its items may still wait in [`ready`](Self::ready)).
    pub fn is_done(&self) -> bool {
        self.lanes.is_empty()
    }

    /// Requests in flight.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// What the scheduling did.
    pub fn stats(&self) -> ConcurrentStats {
        ConcurrentStats {
            limit: self.limit.current(),
            window_budget: self.budget.per_window(),
            ..self.stats.clone()
        }
    }

    /// What the walk did, its lanes' reports merged.
    pub fn walk_stats(&self) -> Option<W::Stats> {
        let mut merged = self.retired.clone();
        for lane in &self.lanes {
            match merged.as_mut() {
                Some(stats) => stats.merge(lane.walk.stats()),
                None => merged = Some(lane.walk.stats().clone()),
            }
        }
        merged
    }

    /// Lets the lanes' walks follow the clock, once per second of it.
    fn advance(&mut self, now: Timestamp) {
        let second = now.as_second();
        if self.advanced == Some(second) {
            return;
        }
        self.advanced = Some(second);
        for index in 0..self.lanes.len() {
            if let Some(lane) = self.lanes.get_mut(index) {
                lane.walk.advance(now);
            }
            self.sync(index);
        }
        self.promote();
    }

    /// The request to send: one refused before if any may go (they go first, so a window
    /// with room for them grants them), else the first queued one of the lanes in order: the
    /// head's always, another lane's while the pages held and in flight leave room (or when
    /// nothing at all is in flight). `fresh_only` (a probe of the quota) skips those refused
    /// before.
    fn send(&mut self, now: Timestamp, fresh_only: bool) -> Option<Next<W::Request>> {
        let room = self.held.saturating_add(self.in_flight) < self.settings.hold();
        let refused_before = if fresh_only {
            None
        } else {
            self.first_queued(room, |slot| slot.refusals > 0)
        };
        // Nothing in flight: any lane may go, lest the walk stall (not for a probe, which
        // waits for the next window instead).
        let room = room || (self.in_flight == 0 && !fresh_only);
        let (lane, position) = refused_before
            .or_else(|| self.first_queued(room, |slot| !(fresh_only && slot.refusals > 0)))?;
        let ticket = self.next_ticket;
        let slot = self.lanes.get_mut(lane)?.slots.get_mut(position)?;
        slot.state = State::Sent {
            ticket,
            round: self.limit.round(),
            window: self.budget.sent(now),
            in_turn: position == 0,
        };
        let request = slot.request.clone();
        self.next_ticket = self.next_ticket.saturating_add(1);
        self.in_flight = self.in_flight.saturating_add(1);
        self.stats.sent = self.stats.sent.saturating_add(1);
        self.stats.peak_in_flight = self.stats.peak_in_flight.max(self.in_flight);
        Some(Next::Send(Ticket(ticket), request))
    }

    /// The lane and position of the first queued slot that `pick` takes, in the head lane or,
    /// when there is `room`, in any lane.
    fn first_queued(
        &self,
        room: bool,
        pick: impl Fn(&Slot<W::Request, W::Page>) -> bool,
    ) -> Option<(usize, usize)> {
        self.lanes
            .iter()
            .enumerate()
            .take_while(|(index, _)| *index == 0 || room)
            .find_map(|(index, lane)| {
                let position = lane
                    .slots
                    .iter()
                    .position(|slot| matches!(slot.state, State::Queued) && pick(slot))?;
                Some((index, position))
            })
    }

    /// Opens a lane for the windows a lane would read last, if there is room to hold what it
    /// reads; returns whether it did.
    fn split(&mut self) -> bool {
        // Each lane holds a window's ids (up to 5,000): lanes are as many as the requests in
        // flight they serve, whatever the range.
        if self.held.saturating_add(self.in_flight) >= self.settings.hold()
            || self.lanes.len() >= self.settings.max_in_flight()
        {
            return false;
        }
        for index in 0..self.lanes.len() {
            let Some(walk) = self
                .lanes
                .get_mut(index)
                .and_then(|lane| lane.walk.split_off())
            else {
                continue;
            };
            self.lanes.insert(index.saturating_add(1), Lane::new(walk));
            self.stats.lanes = self.stats.lanes.saturating_add(1);
            self.sync(index);
            self.sync(index.saturating_add(1));
            return true;
        }
        false
    }

    /// The lane and slot of `ticket`.
    fn find(&self, ticket: Ticket) -> Option<(usize, usize)> {
        self.lanes.iter().enumerate().find_map(|(index, lane)| {
            let slot = lane.slots.iter().position(
                |slot| matches!(slot.state, State::Sent { ticket: t, .. } if t == ticket.0),
            )?;
            Some((index, slot))
        })
    }

    /// Brings lane `index` up to date: feeds what is its turn, lines its guesses up again.
    fn sync(&mut self, index: usize) {
        let ahead = self.settings.max_in_flight();
        let Some(lane) = self.lanes.get_mut(index) else {
            return;
        };
        let mut books = Books {
            held: &mut self.held,
            orphans: &mut self.orphans,
            wasted: &mut self.stats.wasted,
        };
        let out = (index == 0).then_some(&mut self.ready);
        lane.sync(out, ahead, &mut books);
    }

    /// Retires finished head lanes; the next one's held items become ready.
    fn promote(&mut self) {
        while self.lanes.front().is_some_and(Lane::finished) {
            if let Some(lane) = self.lanes.pop_front() {
                match self.retired.as_mut() {
                    Some(stats) => stats.merge(lane.walk.stats()),
                    None => self.retired = Some(lane.walk.stats().clone()),
                }
            }
            let Some(head) = self.lanes.front_mut() else {
                break;
            };
            self.held = self.held.saturating_sub(head.pages_held);
            head.pages_held = 0;
            self.ready.append(&mut head.items);
            self.sync(0);
        }
    }
}
