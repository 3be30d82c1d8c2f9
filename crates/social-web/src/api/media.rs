//! Media attachments in the API: `POST /api/v2/media` and `/api/v1/media` (multipart upload,
//! processed at once, so both answer 200 with the entity), `GET` and `PUT /api/v1/media/{id}`
//! (own media only), and the MediaAttachment entity the Status entity embeds.

use super::{ApiError, ApiForm, ApiResult, ApiUser};
use crate::media::{self, UploadError, UploadMeta};
use crate::{AppState, WebConfig, ratelimit};
use axum::Json;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use social_core::{Focus, MediaAttachment, MediaId};
use social_media::MediaError;
use social_store::MediaUpdate;

/// Room for the multipart framing and the text fields around the file.
const MULTIPART_SLACK: usize = 64 * 1024;
/// Longest text field accepted (alt text is checked for its own, smaller limit).
const MAX_TEXT_FIELD: usize = 16 * 1024;

/// The media routes; uploads get a body limit of `media_max_bytes` (plus framing) instead of
/// the API's small one.
pub fn routes(config: &WebConfig) -> axum::Router<AppState> {
    let limit = DefaultBodyLimit::max(config.media_max_bytes.saturating_add(MULTIPART_SLACK));
    axum::Router::new()
        .route("/api/v1/media", post(upload).layer(limit))
        .route("/api/v2/media", post(upload).layer(limit))
        .route("/api/v1/media/{id}", get(show).put(update))
}

/// Mastodon's MediaAttachment entity (images only).
#[derive(Clone, Debug, Serialize)]
pub struct MediaAttachmentJson {
    pub id: MediaId,
    /// Always `image`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub url: String,
    pub preview_url: String,
    pub remote_url: Option<String>,
    pub preview_remote_url: Option<String>,
    pub text_url: Option<String>,
    pub meta: MetaJson,
    pub description: Option<String>,
    pub blurhash: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MetaJson {
    pub original: SizeJson,
    pub small: SizeJson,
    pub focus: FocusJson,
}

#[derive(Clone, Debug, Serialize)]
pub struct SizeJson {
    pub width: u32,
    pub height: u32,
    /// `"WIDTHxHEIGHT"`.
    pub size: String,
    pub aspect: f64,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct FocusJson {
    pub x: f64,
    pub y: f64,
}

fn size(width: u32, height: u32) -> SizeJson {
    SizeJson {
        width,
        height,
        size: format!("{width}x{height}"),
        aspect: f64::from(width) / f64::from(height.max(1)),
    }
}

/// The entity of `m`; `base` is the site's absolute URL without trailing slash
/// (`https://social.example`). The Status entity calls this for each attachment.
pub fn media_attachment_entity(m: &MediaAttachment, base: &str) -> MediaAttachmentJson {
    MediaAttachmentJson {
        id: m.id,
        kind: "image",
        url: format!("{base}/media/{}", m.file_name),
        preview_url: format!("{base}/media/{}", m.thumb_name),
        remote_url: None,
        preview_remote_url: None,
        text_url: None,
        meta: MetaJson {
            original: size(m.width, m.height),
            small: size(m.thumb_width, m.thumb_height),
            focus: FocusJson {
                x: m.focus.x,
                y: m.focus.y,
            },
        },
        description: (!m.description.is_empty()).then(|| m.description.clone()),
        blurhash: m.blurhash.clone(),
    }
}

fn upload_error(e: UploadError) -> ApiError {
    match e {
        UploadError::Media(MediaError::Unsupported) => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "File type not supported")
        }
        UploadError::Media(MediaError::TooLarge) => ApiError::too_large(),
        UploadError::Media(MediaError::TooManyPixels { .. }) => {
            ApiError::invalid("Image dimensions are too large")
        }
        UploadError::Media(MediaError::Corrupt) => {
            ApiError::invalid("File could not be read as an image")
        }
        UploadError::Media(e @ MediaError::Encode(_)) => ApiError::internal(e),
        UploadError::Store(e) => e.into(),
        UploadError::Io(e) => ApiError::internal(e),
    }
}

/// A broken or oversized multipart body: 413 when a limit was hit, else 400.
fn multipart_error(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large()
    } else {
        ApiError::bad_request(format!("Malformed multipart body: {}", e.body_text()))
    }
}

/// Reads a field, refusing it (413) once it passes `max` bytes, without buffering more.
async fn read_field(field: &mut Field<'_>, max: usize) -> ApiResult<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if out.len() + chunk.len() > max {
            return Err(ApiError::too_large());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

async fn read_text(field: &mut Field<'_>) -> ApiResult<String> {
    let bytes = read_field(field, MAX_TEXT_FIELD).await?;
    String::from_utf8(bytes).map_err(|_| ApiError::invalid("Text fields must be UTF-8"))
}

/// `POST /api/v2/media` and `/api/v1/media`: fields `file` (required), `description`,
/// `focus` (`"x,y"`); `thumbnail` and others are ignored. Scope `write:media`.
async fn upload(
    State(state): State<AppState>,
    user: ApiUser,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<MediaAttachmentJson>> {
    user.require("write:media")?;
    ratelimit::check(&state, "media", state.config.rate_limits.media, user.id().0).await?;
    let max = state.config.media_max_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max.saturating_add(MULTIPART_SLACK) as u64) {
        return Err(ApiError::too_large());
    }
    let mut multipart = multipart.map_err(|_| ApiError::invalid("File can't be blank"))?;
    let (mut file, mut meta) = (None, UploadMeta::default());
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("file") => file = Some(read_field(&mut field, max).await?),
            Some("description") => {
                meta.description = social_core::media::description(&read_text(&mut field).await?)?;
            }
            Some("focus") => meta.focus = Focus::parse(&read_text(&mut field).await?)?,
            _ => {}
        }
    }
    let file = file
        .filter(|f| !f.is_empty())
        .ok_or_else(|| ApiError::invalid("File can't be blank"))?;
    let saved = media::save_upload(&state, user.id(), file, meta)
        .await
        .map_err(upload_error)?;
    Ok(Json(media_attachment_entity(
        &saved,
        &state.base_url(&headers),
    )))
}

/// `GET /api/v1/media/{id}`: own media only (404 otherwise). Scope `write:media`.
async fn show(
    State(state): State<AppState>,
    user: ApiUser,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<MediaAttachmentJson>> {
    user.require("write:media")?;
    let id: MediaId = id.parse().map_err(|_| ApiError::not_found())?;
    let m = state.store.get_media(user.id(), id).await?;
    Ok(Json(media_attachment_entity(&m, &state.base_url(&headers))))
}

#[derive(Debug, Default, Deserialize)]
struct UpdateForm {
    description: Option<String>,
    focus: Option<String>,
}

/// `PUT /api/v1/media/{id}`: `description` and `focus`, as a form, JSON or multipart body.
/// Own media only, attached or not. Scope `write:media`.
async fn update(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    req: Request,
) -> ApiResult<Json<MediaAttachmentJson>> {
    user.require("write:media")?;
    let id: MediaId = id.parse().map_err(|_| ApiError::not_found())?;
    let headers = req.headers().clone();
    let is_multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let form = if is_multipart {
        let mut multipart = Multipart::from_request(req, &state)
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
        let mut form = UpdateForm::default();
        while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
            match field.name() {
                Some("description") => form.description = Some(read_text(&mut field).await?),
                Some("focus") => form.focus = Some(read_text(&mut field).await?),
                _ => {}
            }
        }
        form
    } else {
        let ApiForm(form) = ApiForm::<UpdateForm>::from_request(req, &state).await?;
        form
    };
    let update = MediaUpdate {
        description: form
            .description
            .as_deref()
            .map(social_core::media::description)
            .transpose()?,
        focus: form.focus.as_deref().map(Focus::parse).transpose()?,
    };
    let m = state.store.update_media(user.id(), id, update).await?;
    Ok(Json(media_attachment_entity(&m, &state.base_url(&headers))))
}
