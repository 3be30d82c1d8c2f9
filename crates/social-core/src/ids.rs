//! Identifier newtypes. IDs are time-ordered 64-bit integers (DESIGN decision 3): the upper bits
//! are a millisecond timestamp, so sorting by ID sorts by creation time on every backend.

use std::fmt;
use std::str::FromStr;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse::<i64>().map($name)
            }
        }

        impl serde::Serialize for $name {
            /// IDs are rendered as strings, as the Mastodon API does (JavaScript loses precision
            /// on 64-bit integers).
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// An account.
    AccountId
);
id_type!(
    /// A post (status). Boosts are posts too.
    PostId
);
id_type!(
    /// A notification.
    NotificationId
);
id_type!(
    /// A media attachment (an uploaded image).
    MediaId
);

/// Number of low bits holding the per-millisecond sequence.
pub const SEQUENCE_BITS: u32 = 16;

/// Builds an ID from a millisecond timestamp and a sequence number within that millisecond.
pub fn compose_id(unix_millis: i64, sequence: u16) -> i64 {
    (unix_millis << SEQUENCE_BITS) | i64::from(sequence)
}

/// The millisecond timestamp an ID was created at.
pub fn id_timestamp_millis(id: i64) -> i64 {
    id >> SEQUENCE_BITS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time_then_sequence() {
        let a = compose_id(1_700_000_000_000, 5);
        let b = compose_id(1_700_000_000_000, 6);
        let c = compose_id(1_700_000_000_001, 0);
        assert!(a < b && b < c);
        assert_eq!(id_timestamp_millis(c), 1_700_000_000_001);
    }

    #[test]
    fn ids_serialize_as_strings() {
        let json = serde_json_like(PostId(42));
        assert_eq!(json, "42");
        assert_eq!("42".parse::<PostId>().ok(), Some(PostId(42)));
        assert!("4x2".parse::<PostId>().is_err());
    }

    fn serde_json_like(id: PostId) -> String {
        id.to_string()
    }
}
