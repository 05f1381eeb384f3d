//! Alibaba's timestamp format, `yyyy-MM-ddTHH:mm:ssZ` in UTC.
//!
//! The conversion is written out by hand (days from civil dates) so that no input, however far
//! from today, can make it panic.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use thiserror::Error;

/// Why a timestamp was rejected; a server answers `InvalidTimeStamp.Format`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TimestampError {
    /// The text is not exactly `yyyy-MM-ddTHH:mm:ssZ`.
    #[error("timestamp is not in the form yyyy-MM-ddTHH:mm:ssZ")]
    Format,
    /// The text has the right shape but names no real instant (month 13, February 30, ...).
    #[error("timestamp has the right form but is not a valid date and time")]
    OutOfRange,
}

const SECONDS_PER_DAY: i64 = 86_400;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Seconds since the epoch, negative before it, saturating far outside any calendar in use.
fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => {
            let d = e.duration();
            // Round towards the past so 1969-12-31T23:59:59.5Z prints as :59.
            let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            if d.subsec_nanos() > 0 {
                whole.saturating_neg().saturating_sub(1)
            } else {
                whole.saturating_neg()
            }
        }
    }
}

/// Formats a time as `yyyy-MM-ddTHH:mm:ssZ` in UTC, dropping fractions of a second.
///
/// Times are clamped to years 0000..=9999, the range the four-digit format can express.
pub fn format_timestamp(t: SystemTime) -> String {
    let min = days_from_civil(0, 1, 1) * SECONDS_PER_DAY;
    let max = days_from_civil(10_000, 1, 1) * SECONDS_PER_DAY - 1;
    let secs = unix_seconds(t).clamp(min, max);
    let days = secs.div_euclid(SECONDS_PER_DAY);
    let rem = secs.rem_euclid(SECONDS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Parses exactly `yyyy-MM-ddTHH:mm:ssZ` (UTC, no fractions, no offsets, no leap seconds).
///
/// Strictness is the point: the gateway rejects anything else with `InvalidTimeStamp.Format`.
pub fn parse_timestamp(s: &str) -> Result<SystemTime, TimestampError> {
    let b = s.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return Err(TimestampError::Format);
    }
    let number = |range: std::ops::Range<usize>| -> Result<i64, TimestampError> {
        b[range].iter().try_fold(0_i64, |acc, &d| {
            if d.is_ascii_digit() {
                Ok(acc * 10 + i64::from(d - b'0'))
            } else {
                Err(TimestampError::Format)
            }
        })
    };
    let year = number(0..4)?;
    let month = number(5..7)?;
    let day = number(8..10)?;
    let hour = number(11..13)?;
    let minute = number(14..16)?;
    let second = number(17..19)?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(TimestampError::OutOfRange);
    }
    let secs =
        days_from_civil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
    let magnitude = Duration::from_secs(secs.unsigned_abs());
    let t = if secs >= 0 {
        UNIX_EPOCH.checked_add(magnitude)
    } else {
        UNIX_EPOCH.checked_sub(magnitude)
    };
    t.ok_or(TimestampError::OutOfRange)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_known_instants() {
        for (text, secs) in [
            ("1970-01-01T00:00:00Z", 0_i64),
            ("2016-02-23T12:46:24Z", 1_456_231_584),
            ("2000-02-29T23:59:59Z", 951_868_799),
            ("1969-12-31T23:59:59Z", -1),
            ("2100-03-01T00:00:00Z", 4_107_542_400),
        ] {
            let t = parse_timestamp(text).unwrap();
            let expected = if secs >= 0 {
                UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
            } else {
                UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
            };
            assert_eq!(t, expected, "{text}");
            assert_eq!(format_timestamp(t), text);
        }
    }

    #[test]
    fn drops_fractions() {
        let t = UNIX_EPOCH + Duration::from_millis(1_500);
        assert_eq!(format_timestamp(t), "1970-01-01T00:00:01Z");
        let t = UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(format_timestamp(t), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn rejects_anything_else() {
        for bad in [
            "",
            "2016-02-23T12:46:24",
            "2016-02-23 12:46:24Z",
            "2016-02-23T12:46:24.000Z",
            "2016-02-23T12:46Z",
            "2016-2-23T12:46:24Z0",
            "+016-02-23T12:46:24Z",
            "2016-02-23T12:46:24z",
            "２016-02-23T12:46:24",
        ] {
            assert_eq!(parse_timestamp(bad), Err(TimestampError::Format), "{bad:?}");
        }
        for bad in [
            "2016-13-01T00:00:00Z",
            "2015-02-29T00:00:00Z",
            "2016-04-31T00:00:00Z",
            "2016-01-01T24:00:00Z",
            "2016-01-01T00:60:00Z",
            "2016-01-01T00:00:60Z",
            "2016-00-01T00:00:00Z",
        ] {
            assert_eq!(
                parse_timestamp(bad),
                Err(TimestampError::OutOfRange),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn clamps_extreme_times() {
        let far = UNIX_EPOCH + Duration::from_secs(u64::MAX / 4);
        assert_eq!(format_timestamp(far), "9999-12-31T23:59:59Z");
    }
}
