//! A random id per request: in a tracing span around the request, in the `X-Request-Id`
//! response header, and on 500 pages so a person can quote it to the operator.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The id of the current request (16 hex digits).
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Middleware: assigns the id, opens the span, sets the header.
pub async fn assign(mut req: Request, next: Next) -> Response {
    let id = crate::util::hex(&rand::random::<[u8; 8]>());
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path());
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(req).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
