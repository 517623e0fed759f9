//! Times as people read them (the session's zone, in tables) and as programs read them
//! (RFC 3339 in UTC, in JSON and CSV), so that scripts never depend on `--tz`.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// `2026-11-01 08:00` in `tz`: minutes are enough to tell reviews apart in a table.
pub(crate) fn table(time: Timestamp, tz: &TimeZone) -> String {
    time.to_zoned(tz.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// `2026-11-01 08:00:07` in `tz`, for detail views where the seconds may matter.
pub(crate) fn long(time: Timestamp, tz: &TimeZone) -> String {
    time.to_zoned(tz.clone())
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// `2026-11-01T00:00:07Z`: RFC 3339 in UTC at whole seconds, the unified record's form.
pub(crate) fn machine(time: Timestamp) -> String {
    time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The zone's name for a column header: `Asia/Shanghai`, or `UTC+08` for a fixed offset.
pub(crate) fn zone_label(tz: &TimeZone) -> String {
    match tz.iana_name() {
        Some(name) => name.to_owned(),
        None => format!("UTC{}", tz.to_offset(Timestamp::now())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::Offset;

    #[test]
    fn forms() {
        let t: Timestamp = "2023-02-14T05:11:44Z".parse().unwrap();
        let cst = TimeZone::fixed(Offset::from_hours(8).unwrap());
        assert_eq!(table(t, &cst), "2023-02-14 13:11");
        assert_eq!(long(t, &cst), "2023-02-14 13:11:44");
        assert_eq!(machine(t), "2023-02-14T05:11:44Z");
        assert_eq!(zone_label(&cst), "UTC+08");
        assert_eq!(
            zone_label(&TimeZone::get("Asia/Shanghai").unwrap()),
            "Asia/Shanghai"
        );
    }
}
