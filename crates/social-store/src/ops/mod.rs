//! Per-backend operations. Every operation is written once, in the files of this directory, and
//! compiled twice (`sqlite` and `pg` below include the same files with `DB` set to each backend),
//! so each copy is monomorphised for its pool type while the SQL text stays shared.

pub(crate) mod pg;
pub(crate) mod sqlite;
