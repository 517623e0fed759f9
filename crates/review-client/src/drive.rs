//! What both drivers add around `review_protocol::call`: the machine for a configured platform,
//! the seed of its jitter, the transport's answer in the machine's terms, and the client's
//! error.

use std::hash::{BuildHasher, RandomState};

use review_protocol::call::{self, Answer, Call, Fw199Call, Unanswered, WechatCall};
use review_protocol::taobao::Fw199Context;
use review_protocol::wechat::WechatContext;
use review_protocol::{BuildError, Endpoint};

use crate::config::ClientConfig;
use crate::error::{ClientError, ErrorKind};
use crate::transport::{HttpResult, TransportError};

/// The protocol's machine, over this crate's transport error.
pub(crate) type Machine<'a, C> = call::Machine<'a, C, TransportError>;

/// A step of [`Machine`].
pub(crate) type Step<O> = call::Step<O, TransportError>;

/// A random seed for one call's jitter. `RandomState`'s keys come from the OS once per thread
/// and change with every new state, so each call, thread and process gets its own sequence.
fn seed() -> u64 {
    RandomState::new().hash_one(())
}

fn missing(endpoint: &'static str, platform: &'static str) -> ClientError {
    let err = BuildError::new(
        "appid",
        format!("this client has no {platform} credentials"),
    );
    ClientError::new(endpoint, ErrorKind::Protocol(err.into()), 0, false)
}

/// How a call meets a throttle: retried within its own budget, or handed back at once to a
/// caller that paces many calls together (a concurrent walk).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttles {
    /// Retried like any failure that may pass.
    Retry,
    /// Handed back at once.
    Surface,
}

impl Throttles {
    fn apply<C: Call>(self, machine: Machine<'_, C>) -> Machine<'_, C> {
        match self {
            Self::Retry => machine,
            Self::Surface => machine.surface_throttles(),
        }
    }
}

/// The machine of a WeChat call, with the configured token store.
pub(crate) fn wechat<'a, E: Endpoint<Context = WechatContext>>(
    config: &'a ClientConfig,
    endpoint: &'a E,
    throttles: Throttles,
) -> Result<Machine<'a, WechatCall<'a, E>>, ClientError> {
    let Some(side) = &config.wechat else {
        return Err(missing(endpoint.name(), "WeChat"));
    };
    let call = WechatCall::new(endpoint, &side.base_url);
    let machine = throttles.apply(
        Machine::new(call, config.retry, seed()).with_tokens(side.tokens.as_ref(), &side.base_url),
    );
    Ok(match &side.shared {
        Some(shared) => {
            let owner = (u128::from(seed()) << 64) | u128::from(seed());
            machine.with_shared(shared.config, owner)
        }
        None => machine,
    })
}

/// The machine of an fw199 call, signed at each attempt.
pub(crate) fn fw199<'a, E: Endpoint<Context = Fw199Context>>(
    config: &'a ClientConfig,
    endpoint: &'a E,
    throttles: Throttles,
) -> Result<Machine<'a, Fw199Call<'a, E>>, ClientError> {
    let Some(side) = &config.fw199 else {
        return Err(missing(endpoint.name(), "fw199"));
    };
    let call = Fw199Call::new(endpoint, &side.context);
    Ok(throttles.apply(Machine::new(call, config.retry, seed())))
}

/// A transport's result as the machine takes it: only a refused connection counts as not sent.
pub(crate) fn answer(result: HttpResult) -> Answer<TransportError> {
    result.map_err(|err| {
        if err.not_sent() {
            Unanswered::not_sent(err)
        } else {
            Unanswered::ambiguous(err)
        }
    })
}
