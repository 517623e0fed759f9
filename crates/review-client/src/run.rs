//! The one loop both drivers run around `review_protocol::call`'s machine, minus the waiting:
//! each step becomes an action (send this, sleep that long, return this), the request's trace
//! span is opened and closed here, and the clock is read here. A driver only performs the
//! action, blocking or awaiting, and hands back what came of it.

use std::time::Duration;

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
}

impl<'a, C: Call> Run<'a, C> {
    /// Starts `machine`; returns the run and its first action.
    pub(crate) fn start(mut machine: Machine<'a, C>) -> (Self, Action<C::Output>) {
        let step = machine.next(Timestamp::now());
        let mut run = Self {
            machine,
            sent: None,
        };
        let action = run.act(step);
        (run, action)
    }

    /// Takes the transport's result for the request sent; returns the next action.
    pub(crate) fn answered(&mut self, result: HttpResult) -> Action<C::Output> {
        if let Some(sent) = self.sent.take() {
            sent.finish(&result);
        }
        let step = self.machine.feed(drive::answer(result), Timestamp::now());
        self.act(step)
    }

    /// Takes the shared store's answer; returns the next action.
    pub(crate) fn stored(
        &mut self,
        answer: Result<StoreAnswer, StoreFailure>,
    ) -> Action<C::Output> {
        let step = self.machine.stored(answer, Timestamp::now());
        self.act(step)
    }

    /// The wait is over; returns the next action.
    pub(crate) fn woke(&mut self) -> Action<C::Output> {
        let step = self.machine.next(Timestamp::now());
        self.act(step)
    }

    fn act(&mut self, step: Step<C::Output>) -> Action<C::Output> {
        match step {
            Step::Send(request) => {
                let span = Sent::start(self.machine.name(), self.machine.attempt(), &request);
                self.sent = Some(span);
                Action::Send(request)
            }
            Step::Sleep(wait) => Action::Sleep(wait),
            Step::Store(op) => Action::Store(op),
            Step::Done(result) => Action::Done(result.map_err(ClientError::from)),
        }
    }
}
