//! The fw199 gateway's checks before any search: a UTF-8 form body, a known `appid`, a valid
//! signature and a fresh `timestamp`.

use jiff::Timestamp;
use review_protocol::taobao::fw199::{SignatureError, verify_form};

use super::answer::{Code, Refusal};
use review_protocol::taobao::Fw199Credentials;

/// How far `timestamp` may be from the gateway's now, either way, in seconds.
pub(crate) const TIMESTAMP_TOLERANCE: i64 = 600;

/// The form's parameters, without `sign`, once everything here has passed.
pub(crate) type Params = Vec<(String, String)>;

/// The first value of `name` (repeats are refused by the signature check before this is used).
pub(crate) fn value<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// Reads the body as the gateway does before anything else: the content type and encoding
/// (10002). The parameters, `sign` included, in their order.
pub(crate) fn decode(content_type: Option<&str>, body: &[u8]) -> Result<Params, Refusal> {
    if let Some(content_type) = content_type {
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        if !essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(Refusal::malformed(&format!(
                "请求体必须是 application/x-www-form-urlencoded (UTF-8), 收到 {content_type:?}"
            )));
        }
    }
    let decoded: Params = form_urlencoded::parse(body).into_owned().collect();
    if decoded
        .iter()
        .any(|(k, v)| k.contains('\u{fffd}') || v.contains('\u{fffd}'))
    {
        return Err(Refusal::malformed(
            "表单不是合法的 UTF-8 编码 (the form is not UTF-8)",
        ));
    }
    Ok(decoded)
}

/// Checks a decoded body (`decoded`, from [`decode`] of `body`) against one partner's
/// `credentials`, in this order: `appid` present (10002) and the partner's (10004), `sign`
/// present and matching (10001; a repeated parameter is 10002), `timestamp` present, numeric
/// (10002) and within ten minutes (10003).
pub(crate) fn verify(
    credentials: &Fw199Credentials,
    decoded: &[(String, String)],
    body: &[u8],
    now: Timestamp,
) -> Result<Params, Refusal> {
    let appid = value(decoded, "appid").filter(|a| !a.is_empty());
    let Some(appid) = appid else {
        return Err(Refusal::missing("appid"));
    };
    if appid != credentials.appid {
        return Err(Refusal::new(
            Code::UnknownAppid,
            format!("appid 不存在: {appid:?} 不是本网关的合作伙伴 (unknown appid)"),
        ));
    }

    let params = verify_form(body, &credentials.secret).map_err(|err| match err {
        SignatureError::Missing => Refusal::signature("缺少 sign 参数 (missing `sign`)"),
        SignatureError::Duplicate(name) => {
            Refusal::malformed(&format!("参数 {name} 重复出现 (parameter `{name}` repeated)"))
        }
        _ => Refusal::signature(
            "sign 与参数不符; sign = md5(secret + 按参数名排序的 k1v1k2v2... + secret), 小写十六进制 \
             (the signature does not match the parameters)",
        ),
    })?;

    let Some(timestamp) = value(&params, "timestamp").filter(|t| !t.is_empty()) else {
        return Err(Refusal::missing("timestamp"));
    };
    let Ok(seconds) = timestamp.parse::<i64>() else {
        return Err(Refusal::invalid("timestamp", "必须是 Unix 秒数", timestamp));
    };
    let skew = seconds.saturating_sub(now.as_second());
    if skew.saturating_abs() > TIMESTAMP_TOLERANCE {
        return Err(Refusal::new(
            Code::StaleTimestamp,
            format!(
                "时间戳无效: timestamp {seconds} 与服务器时间 {} 相差 {skew} 秒, 超过 ±{TIMESTAMP_TOLERANCE} 秒 \
                 (timestamp out of range; it is Unix seconds, not milliseconds)",
                now.as_second()
            ),
        ));
    }
    Ok(params)
}
