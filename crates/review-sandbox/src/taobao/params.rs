//! The search's own parameters, read and range-checked into a query for the store.
//!
//! Required: `tb_seller_nick` (the sandbox's seller, else 10005), `rate_type` (`get`|`give`),
//! `role` (`seller`|`buyer`). Optional, each refused with 10002 when malformed: `result`
//! (`good`|`neutral`|`bad`), `page_no` (1..=200, default 1), `page_size` (1..=150, default 40),
//! `start_date` and `end_date` (`yyyy-MM-dd HH:mm:ss`, China Standard Time, inclusive, start not
//! after end), `use_has_next` (`true`|`false`), `tid` and `num_iid` (unsigned integers), `ouid`.
//! An optional parameter sent empty counts as absent; parameters the search does not know are
//! ignored, as the gateway ignores them.

use review_model::taobao::{RateResult, RateType, Role, parse_time};
use review_protocol::taobao::{DEFAULT_PAGE_SIZE, MAX_PAGE_NO, MAX_PAGE_SIZE};

use super::answer::{Code, Refusal};
use super::gateway::value;
use super::store::{Filter, ListKey, PageAt, Range};

/// A checked search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Query {
    pub(crate) list: ListKey,
    /// As asked, before the 180-day clamp.
    pub(crate) range: Range,
    pub(crate) filter: Filter,
    pub(crate) at: PageAt,
    pub(crate) use_has_next: bool,
}

/// Reads the search parameters of a verified form for the sandbox's `seller_nick`.
pub(crate) fn parse(params: &[(String, String)], seller_nick: &str) -> Result<Query, Refusal> {
    let required = |name: &str| {
        value(params, name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Refusal::missing(name))
    };
    let optional = |name: &str| value(params, name).filter(|v| !v.is_empty());

    let seller = required("tb_seller_nick")?;
    if seller != seller_nick {
        return Err(Refusal::new(
            Code::NotAuthorised,
            format!("无权访问: 卖家 {seller:?} 未授权给该 appid (not authorised for this seller)"),
        ));
    }
    let rate_type = required("rate_type")?;
    let rate_type: RateType = rate_type
        .parse()
        .map_err(|_| Refusal::invalid("rate_type", "只能是 get 或 give", rate_type))?;
    let role = required("role")?;
    let role: Role = role
        .parse()
        .map_err(|_| Refusal::invalid("role", "只能是 seller 或 buyer", role))?;
    let result = optional("result")
        .map(|text| {
            text.parse::<RateResult>()
                .map_err(|_| Refusal::invalid("result", "只能是 good、neutral 或 bad", text))
        })
        .transpose()?;

    let page_no = number("page_no", optional("page_no"), 1, MAX_PAGE_NO)?.unwrap_or(1);
    let page_size =
        number("page_size", optional("page_size"), 1, MAX_PAGE_SIZE)?.unwrap_or(DEFAULT_PAGE_SIZE);
    let start = date("start_date", optional("start_date"))?;
    let end = date("end_date", optional("end_date"))?;
    if let (Some(start), Some(end)) = (start, end)
        && start > end
    {
        return Err(Refusal::malformed(&format!(
            "start_date {:?} 晚于 end_date {:?} (the window starts after it ends)",
            optional("start_date").unwrap_or_default(),
            optional("end_date").unwrap_or_default()
        )));
    }
    let use_has_next = match optional("use_has_next") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(Refusal::invalid(
                "use_has_next",
                "只能是 true 或 false",
                other,
            ));
        }
    };
    let tid = id("tid", optional("tid"))?;
    let num_iid = id("num_iid", optional("num_iid"))?;
    let ouid = optional("ouid").map(str::to_owned);

    Ok(Query {
        list: ListKey {
            rate_type,
            role,
            result,
        },
        range: Range { start, end },
        filter: Filter { tid, num_iid, ouid },
        at: PageAt { page_no, page_size },
        use_has_next,
    })
}

/// An integer parameter in `min..=max`.
fn number(name: &str, text: Option<&str>, min: u32, max: u32) -> Result<Option<u32>, Refusal> {
    let Some(text) = text else {
        return Ok(None);
    };
    let rule = format!("必须是 {min} 到 {max} 之间的整数");
    match text.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(Refusal::invalid(name, &rule, text)),
    }
}

/// A date parameter, as the second it names.
fn date(name: &str, text: Option<&str>) -> Result<Option<i64>, Refusal> {
    text.map(|text| {
        parse_time(text)
            .map(|t| t.as_second())
            .map_err(|_| Refusal::invalid(name, "必须是 yyyy-MM-dd HH:mm:ss 格式的北京时间", text))
    })
    .transpose()
}

/// A numeric id parameter.
fn id(name: &str, text: Option<&str>) -> Result<Option<u64>, Refusal> {
    text.map(|text| {
        text.parse::<u64>()
            .map_err(|_| Refusal::invalid(name, "必须是正整数", text))
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut all = vec![
            ("tb_seller_nick".to_owned(), "shop".to_owned()),
            ("rate_type".to_owned(), "get".to_owned()),
            ("role".to_owned(), "buyer".to_owned()),
        ];
        all.retain(|(k, _)| !pairs.iter().any(|(name, _)| name == k));
        all.extend(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        all
    }

    #[test]
    fn defaults_and_empty_optionals() {
        let query = parse(&params(&[("result", ""), ("page_no", "")]), "shop").unwrap();
        assert_eq!(
            query.at,
            PageAt {
                page_no: 1,
                page_size: 40
            }
        );
        assert_eq!(query.list.result, None);
        assert!(!query.use_has_next);
    }

    #[test]
    fn ranges_are_enforced() {
        for (name, bad) in [
            ("page_no", "0"),
            ("page_no", "201"),
            ("page_size", "151"),
            ("page_size", "-1"),
            ("rate_type", "got"),
            ("role", "admin"),
            ("result", "great"),
            ("use_has_next", "1"),
            ("start_date", "2026-01-01"),
            ("tid", "12x"),
        ] {
            let err = parse(&params(&[(name, bad)]), "shop").unwrap_err();
            assert_eq!(err.code, Code::BadParameter);
            assert!(err.message.contains(name), "{}", err.message);
        }
        let err = parse(&params(&[("tb_seller_nick", "other")]), "shop").unwrap_err();
        assert_eq!(err.code, Code::NotAuthorised);
    }
}
