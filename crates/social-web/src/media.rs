//! Uploaded media below the HTTP API: processing an upload (off the async runtime, a couple
//! at a time), writing its files and row (the files are removed when the row is not
//! committed), serving the files, and the periodic orphan sweep.

use crate::AppState;
use crate::error::WebError;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use social_core::{AccountId, Focus, MediaAttachment};
use social_media::{Limits, MediaError, MediaFiles};
use social_store::MediaInsert;
use tokio::sync::Semaphore;

/// Decoding an image can take a few hundred MB and a core for a second: at most this many run
/// at once, so a burst of uploads cannot exhaust memory (sociald runs with `MemoryMax=1G`).
static PROCESSING: Semaphore = Semaphore::const_new(2);

/// Unattached media older than this are swept.
pub const ORPHAN_AGE_MS: i64 = 24 * 3600 * 1000;

/// Why an upload failed.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error(transparent)]
    Store(#[from] social_store::StoreError),
    #[error("writing media files: {0}")]
    Io(#[from] std::io::Error),
}

/// What one upload carries besides its bytes.
#[derive(Clone, Debug, Default)]
pub struct UploadMeta {
    /// Already checked with `social_core::media::description`.
    pub description: String,
    pub focus: Focus,
}

/// The media directory of this site.
pub fn files(state: &AppState) -> MediaFiles {
    MediaFiles::new(state.config.media_dir.clone())
}

/// The processing limits of this site.
pub fn limits(state: &AppState) -> Limits {
    Limits {
        max_bytes: state.config.media_max_bytes,
        max_pixels: state.config.media_max_pixels,
        ..Limits::default()
    }
}

/// Checks, re-encodes and stores one upload of `owner`.
pub async fn save_upload(
    state: &AppState,
    owner: AccountId,
    bytes: Vec<u8>,
    meta: UploadMeta,
) -> Result<MediaAttachment, UploadError> {
    let files = files(state);
    let limits = limits(state);
    let permit = PROCESSING
        .acquire()
        .await
        .map_err(|_| std::io::Error::other("media processing is shut down"))?;
    let stored = {
        let files = files.clone();
        tokio::task::spawn_blocking(move || -> Result<_, UploadError> {
            let processed = social_media::process(&bytes, &limits)?;
            let names = files.store(&processed)?;
            Ok((processed, names))
        })
        .await
        .map_err(|e| std::io::Error::other(format!("media task: {e}")))??
    };
    drop(permit);
    let (processed, names) = stored;
    let insert = MediaInsert {
        account_id: owner,
        file_name: names.original.clone(),
        thumb_name: names.thumbnail.clone(),
        mime: processed.original.mime.to_owned(),
        width: processed.original.width,
        height: processed.original.height,
        size: i64::try_from(processed.original.bytes.len()).unwrap_or(i64::MAX),
        thumb_width: processed.thumbnail.width,
        thumb_height: processed.thumbnail.height,
        focus: meta.focus,
        description: meta.description,
        blurhash: Some(processed.blurhash),
    };
    match state.store.create_media(insert).await {
        Ok(media) => Ok(media),
        Err(e) => {
            files.remove(&names.original);
            files.remove(&names.thumbnail);
            Err(e.into())
        }
    }
}

/// `GET /media/{dir}/{file}`: a stored image, with its type, `nosniff` and a year of caching
/// (names are never reused); the site-wide CSP (`default-src 'none'; …`) applies too. Only names the media directory
/// creates resolve, so no path can leave it.
pub async fn get_file(
    State(state): State<AppState>,
    Path((dir, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let name = format!("{dir}/{file}");
    let Some(path) = files(&state).path_of(&name) else {
        return Err(WebError::NotFound);
    };
    let bytes = match tokio::fs::read(&path).await {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(WebError::NotFound),
        Err(e) => return Err(WebError::Internal(format!("reading {name}: {e}"))),
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(social_media::files::content_type(&name)),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::HeaderName::from_static("cross-origin-resource-policy"),
                HeaderValue::from_static("cross-origin"),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Removes media that no post uses and that were uploaded over a day ago (rows and files);
/// returns how many. Run periodically by `sociald`.
pub async fn sweep_orphans(
    state: &AppState,
    now_ms: i64,
) -> Result<usize, social_store::StoreError> {
    let files = files(state);
    let mut total = 0;
    loop {
        let batch = state
            .store
            .take_orphan_media(now_ms - ORPHAN_AGE_MS, 500)
            .await?;
        let n = batch.len();
        for m in batch {
            for name in [&m.file_name, &m.thumb_name] {
                if let Err(e) = files.try_remove(name) {
                    tracing::warn!(file = %name, error = %e, "removing an orphaned media file");
                }
            }
        }
        total += n;
        if n < 500 {
            return Ok(total);
        }
    }
}
