//! The one loop both drivers run around `review_protocol::call`'s machine, minus the waiting:
//! each step becomes an action (send this, sleep that long, return this), the request's trace
//! span is opened and closed here, and the clock is read here. A driver only performs the
//! action, blocking or awaiting, and hands back what came of it.

use std::time::Duration;

use event_listener::{Event, EventListener};
use jiff::Timestamp;
use review_protocol::call::Call;
use review_protocol::wechat::token_share::{StoreAnswer, StoreFailure, StoreOp};

use crate::drive::{self, Machine, Step};
use crate::error::ClientError;
use crate::trace::Sent;
use crate::transport::HttpResult;

/// What the driver does next.
pub(crate) enum Action<O> {
    /// Send this request, then call [`Run::answered`].
    Send(http::Request<Vec<u8>>),
    /// Wait this long, then call [`Run::woke`].
    Sleep(Duration),
    /// Wait until the listener hears that another call ended its token refresh, or this long
    /// at most, then call [`Run::woke`].
    AwaitToken(Duration, EventListener),
    /// Carry this out on the shared token store, then call [`Run::stored`].
    Store(StoreOp),
    /// The call is over.
    Done(Result<O, ClientError>),
}

/// A call in progress.
pub(crate) struct Run<'a, C: Call> {
    machine: Machine<'a, C>,
    /// The request on the wire, measured until its answer is in.
    sent: Option<Sent>,
    /// Where the ends of token refreshes are told, when the client has WeChat.
    refreshed: Option<&'a Event>,
    /// Whether the store operation out may end a refresh (it writes a token or frees the
    /// refresh lock).
    storing_token: bool,
}

impl<'a, C: Call> Run<'a, C> {
    /// Starts `machine`, telling `refreshed` when it ends a token refresh and listening to it
    /// while it waits for another call's; returns the run and its first action.
    pub(crate) fn start(
        mut machine: Machine<'a, C>,
        refreshed: Option<&'a Event>,
    ) -> (Self, Action<C::Output>) {
        let step = machine.next(Timestamp::now());
        let mut run = Self {
            machine,
            sent: None,
            refreshed,
            storing_token: false,
        };
        let action = run.act(step);
        (run, action)
    }

    /// Takes the transport's result for the request sent; returns the next action.
    pub(crate) fn answered(&mut self, result: HttpResult) -> Action<C::Output> {
        if let Some(sent) = self.sent.take() {
            sent.finish(&result);
        }
        let refreshing = self.machine.refreshing();
        let step = self.machine.feed(drive::answer(result), Timestamp::now());
        if refreshing {
            self.wake_waiters();
        }
        self.act(step)
    }

    /// Takes the shared store's answer; returns the next action.
    pub(crate) fn stored(
        &mut self,
        answer: Result<StoreAnswer, StoreFailure>,
    ) -> Action<C::Output> {
        let step = self.machine.stored(answer, Timestamp::now());
        if std::mem::take(&mut self.storing_token) {
            self.wake_waiters();
        }
        self.act(step)
    }

    /// The wait is over; returns the next action.
    pub(crate) fn woke(&mut self) -> Action<C::Output> {
        let step = self.machine.next(Timestamp::now());
        self.act(step)
    }

    /// Tells the calls waiting for a token refresh to look again.
    fn wake_waiters(&self) {
        if let Some(refreshed) = self.refreshed {
            refreshed.notify(usize::MAX);
        }
    }

    fn act(&mut self, step: Step<C::Output>) -> Action<C::Output> {
        match step {
            Step::Send(request) => {
                let span = Sent::start(self.machine.name(), self.machine.attempt(), &request);
                self.sent = Some(span);
                Action::Send(request)
            }
            Step::Sleep(wait) => match self.refreshed {
                Some(refreshed) if self.machine.awaits_token() => {
                    Action::AwaitToken(wait, refreshed.listen())
                }
                _ => Action::Sleep(wait),
            },
            Step::Store(op) => {
                self.storing_token = op.may_end_a_refresh();
                Action::Store(op)
            }
            Step::Done(result) => Action::Done(result.map_err(ClientError::from)),
        }
    }
}
