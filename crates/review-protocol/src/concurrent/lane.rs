//! One lane of a concurrent walk: a walk of its own, the requests it is expected to ask for
//! (sent or not, answered or not), and the items it delivered before its turn.

use std::collections::{HashMap, VecDeque};

use crate::Walk;

/// Where a request of a lane stands.
pub(crate) enum State<P> {
    /// Not sent yet.
    Queued,
    /// On the wire under `ticket`, sent in the limit's `round` and the quota's `window`;
    /// `in_turn` when every page before it was fed already, so the platform served it after
    /// them.
    Sent {
        ticket: u64,
        round: u64,
        window: i64,
        in_turn: bool,
    },
    /// Answered, waiting for the walk to ask for it.
    Answered { page: P, in_turn: bool },
}

/// A request the lane's walk is expected to ask for.
pub(crate) struct Slot<R, P> {
    pub(crate) request: R,
    pub(crate) state: State<P>,
    /// Throttles of this request in a row.
    pub(crate) refusals: u32,
}

/// A walk of its own, read beside the others.
pub(crate) struct Lane<W: Walk> {
    pub(crate) walk: W,
    /// The walk's expected requests, in the order it will ask for them.
    pub(crate) slots: VecDeque<Slot<W::Request, W::Page>>,
    /// What the walk delivered while another lane was the head, in order.
    pub(crate) items: VecDeque<W::Item>,
    /// The pages those items came from: memory held, counted against the hold.
    pub(crate) pages_held: usize,
}

/// The scheduler's counts a lane changes when it is brought up to date.
pub(crate) struct Books<'a> {
    /// Answered pages not yet handed out, in all lanes.
    pub(crate) held: &'a mut usize,
    /// Tickets whose slot was dropped, with the quota window they were sent in: their
    /// answers are ignored.
    pub(crate) orphans: &'a mut HashMap<u64, i64>,
    /// Answers dropped unread.
    pub(crate) wasted: &'a mut u64,
}

impl<W: Walk> Lane<W>
where
    W::Request: PartialEq,
{
    pub(crate) fn new(walk: W) -> Self {
        Self {
            walk,
            slots: VecDeque::new(),
            items: VecDeque::new(),
            pages_held: 0,
        }
    }

    /// Whether the lane has nothing left to ask or to hand out but its held items.
    pub(crate) fn finished(&self) -> bool {
        self.slots.is_empty() && self.walk.next_request().is_none()
    }

    /// Feeds every answer that is the walk's turn (to `out` for the head lane, held
    /// otherwise), then lines the slots up with what the walk now expects, at most `ahead`.
    pub(crate) fn sync(
        &mut self,
        mut out: Option<&mut VecDeque<W::Item>>,
        ahead: usize,
        books: &mut Books<'_>,
    ) {
        while let Some(front) = self.slots.front() {
            let State::Answered { page, in_turn } = &front.state else {
                break;
            };
            if self.walk.next_request().as_ref() != Some(&front.request) {
                break;
            }
            if !*in_turn && !self.walk.accepts(page) {
                // Served before pages fed ahead of it, and the list changed: ask again, in turn.
                if let Some(front) = self.slots.front_mut() {
                    front.state = State::Queued;
                }
                *books.held = books.held.saturating_sub(1);
                *books.wasted = books.wasted.saturating_add(1);
                break;
            }
            let Some(Slot {
                state: State::Answered { page, .. },
                ..
            }) = self.slots.pop_front()
            else {
                break;
            };
            *books.held = books.held.saturating_sub(1);
            let items = self.walk.feed(page);
            match out.as_deref_mut() {
                Some(out) => out.extend(items),
                None if items.is_empty() => {}
                None => {
                    self.items.extend(items);
                    self.pages_held = self.pages_held.saturating_add(1);
                    *books.held = books.held.saturating_add(1);
                }
            }
        }
        let expected = self.walk.upcoming(ahead);
        let kept = self
            .slots
            .iter()
            .zip(&expected)
            .take_while(|(slot, request)| slot.request == **request)
            .count();
        for slot in self.slots.drain(kept..) {
            match slot.state {
                State::Queued => {}
                State::Sent { ticket, window, .. } => {
                    books.orphans.insert(ticket, window);
                }
                State::Answered { .. } => {
                    *books.held = books.held.saturating_sub(1);
                    *books.wasted = books.wasted.saturating_add(1);
                }
            }
        }
        self.slots
            .extend(expected.into_iter().skip(kept).map(|request| Slot {
                request,
                state: State::Queued,
                refusals: 0,
            }));
    }
}
