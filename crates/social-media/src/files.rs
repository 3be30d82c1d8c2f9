//! The media directory: each upload's two files (the re-encoded image and its thumbnail) under
//! a random, unguessable name in one of 256 subdirectories, written atomically (a temporary
//! file renamed into place), and the only names [`MediaFiles::path_of`] will ever open.

use crate::Processed;
use rand::RngCore;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The names of one upload's files, relative to the media directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredNames {
    /// `ab/<32 hex>.jpg`
    pub original: String,
    /// `ab/<32 hex>-small.jpg`
    pub thumbnail: String,
}

/// The media directory (`<data_dir>/media`).
#[derive(Clone, Debug)]
pub struct MediaFiles {
    root: PathBuf,
}

impl MediaFiles {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes both files of `processed`; on failure nothing is left behind.
    pub fn store(&self, processed: &Processed) -> io::Result<StoredNames> {
        let mut random = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut random);
        let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let dir = &hex[..2];
        std::fs::create_dir_all(self.root.join(dir))?;
        let names = StoredNames {
            original: format!("{dir}/{hex}.{}", processed.original.ext),
            thumbnail: format!("{dir}/{hex}-small.{}", processed.thumbnail.ext),
        };
        self.write_atomic(&names.original, &processed.original.bytes)?;
        if let Err(e) = self.write_atomic(&names.thumbnail, &processed.thumbnail.bytes) {
            self.remove(&names.original);
            return Err(e);
        }
        Ok(names)
    }

    fn write_atomic(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.root.join(name);
        let tmp = path.with_extension("tmp");
        let written = (|| {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written
    }

    /// Removes one file; a missing file is not an error (it is what we wanted). Other
    /// failures are returned for the caller to log.
    pub fn try_remove(&self, name: &str) -> io::Result<()> {
        let Some(path) = self.path_of(name) else {
            return Ok(());
        };
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// [`Self::try_remove`], ignoring failures.
    pub fn remove(&self, name: &str) {
        let _ = self.try_remove(name);
    }

    /// The path of a stored file, or `None` when `name` is not one [`Self::store`] makes
    /// (so `..`, absolute paths, other directories and other extensions never resolve).
    pub fn path_of(&self, name: &str) -> Option<PathBuf> {
        is_stored_name(name).then(|| self.root.join(name))
    }
}

/// `hh/<32 lowercase hex>[-small].(jpg|png)` with `hh` the name's first two digits.
pub fn is_stored_name(name: &str) -> bool {
    let Some((dir, file)) = name.split_once('/') else {
        return false;
    };
    let Some((stem, ext)) = file.rsplit_once('.') else {
        return false;
    };
    let hex = stem.strip_suffix("-small").unwrap_or(stem);
    let lower_hex = |s: &str| s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    matches!(ext, "jpg" | "png")
        && hex.len() == 32
        && lower_hex(hex)
        && dir.len() == 2
        && hex.starts_with(dir)
}

/// The `Content-Type` of a stored file, from its extension.
pub fn content_type(name: &str) -> &'static str {
    if name.ends_with(".png") {
        "image/png"
    } else {
        "image/jpeg"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_generated_names_resolve() {
        let files = MediaFiles::new("/var/lib/social/media");
        let good = "ab/ab0123456789abcdef0123456789abcd.jpg";
        assert!(files.path_of(good).is_some());
        assert!(
            files
                .path_of("ab/ab0123456789abcdef0123456789abcd-small.png")
                .is_some()
        );
        for bad in [
            "../social.db",
            "ab/../../social.db",
            "/etc/passwd",
            "ab/ab0123456789abcdef0123456789abcd.svg",
            "cd/ab0123456789abcdef0123456789abcd.jpg",
            "ab/AB0123456789ABCDEF0123456789ABCD.jpg",
            "ab/ab0123456789abcdef0123456789abcd.jpg/x",
            "ab\\..\\x.jpg",
            "",
        ] {
            assert!(files.path_of(bad).is_none(), "{bad}");
        }
    }
}
