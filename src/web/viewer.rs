//! Who is looking: the `Viewer` extractor lets a page run only for a caller the rules admit
//! (no tokens: this machine only, as for the API; tokens: a signed-in session), and carries
//! the CSRF value its forms need. `PageError` answers refusals and failures as HTML.

use super::layout::{self, Nav, Shell};
use super::session::{self, CSRF_COOKIE, SESSION_COOKIE};
use crate::app::auth;
use crate::app::error::{ApiError, ErrorCode};
use actix_web::http::{header, StatusCode};
use actix_web::{dev::Payload, FromRequest, HttpRequest, HttpResponse, ResponseError};
use futures::future::LocalBoxFuture;
use maud::html;
use std::time::Instant;

/// The CSRF value of this browser: its cookie's, or a new one (`fresh`) the answer sets.
#[derive(Debug, Clone)]
pub struct Csrf {
    pub value: String,
    pub fresh: bool,
}

impl Csrf {
    pub fn of(req: &HttpRequest) -> Csrf {
        match req
            .cookie(CSRF_COOKIE)
            .map(|c| c.value().to_string())
            .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            Some(value) => Csrf {
                value,
                fresh: false,
            },
            None => Csrf {
                value: session::random_hex(),
                fresh: true,
            },
        }
    }
}

/// A caller admitted to the pages.
pub struct Viewer {
    /// Admitted by a session cookie (tokens are configured), so "Sign out" applies.
    pub signed_in: bool,
    pub csrf: Csrf,
    /// When the request began, for `Server-Timing`.
    pub started: Instant,
    pub secure_cookies: bool,
}

impl Viewer {
    /// The shell of a page this viewer sees.
    pub fn shell<'a>(&'a self, title: &'a str, current: Nav) -> Shell<'a> {
        Shell {
            title,
            csrf: &self.csrf.value,
            signed_in: self.signed_in,
            current,
        }
    }

    /// An HTML answer for this viewer.
    pub fn respond(&self, status: StatusCode, body: maud::Markup) -> HttpResponse {
        super::html(status, &self.csrf, self.secure_cookies, self.started, body)
    }

    /// Refuses a form POST whose CSRF field does not match the cookie, or that another site
    /// sent.
    pub fn check_form(&self, req: &HttpRequest, field: &str) -> Result<(), PageError> {
        check_form(req, field)
    }
}

/// Refuses a form POST whose CSRF field does not match the browser's CSRF cookie, or that
/// another site sent (`Origin`, `Sec-Fetch-Site`).
pub fn check_form(req: &HttpRequest, field: &str) -> Result<(), PageError> {
    let cookie = req.cookie(CSRF_COOKIE);
    let host = auth::request_host(req).unwrap_or_default();
    if auth::is_cross_site(req, host)
        || !session::csrf_matches(cookie.as_ref().map(|c| c.value()), field)
    {
        return Err(PageError::Forbidden(
            "this form has expired or came from another site; reload the page and try again".into(),
        ));
    }
    Ok(())
}

impl FromRequest for Viewer {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Viewer, PageError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { admit(&req).await })
    }
}

async fn admit(req: &HttpRequest) -> Result<Viewer, PageError> {
    let started = Instant::now();
    let settings = &super::state_of(req).settings;
    let csrf = Csrf::of(req);
    let secure_cookies = settings.web.secure_cookies;
    if !settings.api.has_tokens() {
        auth::local_only(req, "the web page").map_err(PageError::Refused)?;
        return Ok(Viewer {
            signed_in: false,
            csrf,
            started,
            secure_cookies,
        });
    }
    let now = crate::store::now_ms();
    let session = req
        .cookie(SESSION_COOKIE)
        .and_then(|c| session::session_of(settings, c.value(), now));
    let session = match session {
        // a signed-out session's cookie, replayed, is no session
        Some(s) => match super::state_of(req).store.is_session_revoked(&s.id).await {
            Ok(false) => Some(s),
            Ok(true) => None,
            Err(e) => return Err(PageError::internal(e)),
        },
        None => None,
    };
    match session {
        Some(_) => Ok(Viewer {
            signed_in: true,
            csrf,
            started,
            secure_cookies,
        }),
        None => Err(PageError::SignIn {
            next: req
                .uri()
                .path_and_query()
                .map_or("/".into(), |p| p.as_str().to_string()),
            get: req.method() == actix_web::http::Method::GET,
        }),
    }
}

/// Why a page is not shown, answered as HTML.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// No valid session: a GET goes to the sign-in page, anything else is 401.
    #[error("sign in first")]
    SignIn { next: String, get: bool },
    #[error("{}", .0.message)]
    Refused(ApiError),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("internal error; see the service log")]
    Internal,
}

impl PageError {
    /// Logs the cause and answers a generic 500.
    pub fn internal(cause: impl std::fmt::Display) -> PageError {
        tracing::error!(error = %cause, "page failed");
        PageError::Internal
    }
}

/// An API error shown as a page keeps its code's status (a 503 stays a 503) and message;
/// only an internal error is made generic.
impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        match e.code {
            ErrorCode::NotFound => PageError::NotFound(e.message),
            ErrorCode::Internal => PageError::Internal,
            _ => PageError::Refused(e),
        }
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::SignIn { get: true, .. } => StatusCode::SEE_OTHER,
            PageError::SignIn { .. } => StatusCode::UNAUTHORIZED,
            PageError::Refused(e) => e.status(),
            PageError::Forbidden(_) => StatusCode::FORBIDDEN,
            PageError::NotFound(_) => StatusCode::NOT_FOUND,
            PageError::BadRequest(_) => StatusCode::BAD_REQUEST,
            PageError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let PageError::SignIn { next, get: true } = self {
            let target = format!("/signin?next={}", urlencode(next));
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, target))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .finish();
        }
        let title = match self.status_code() {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::UNAUTHORIZED => "Sign in needed",
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::BAD_REQUEST => "Cannot show that",
            StatusCode::SERVICE_UNAVAILABLE => "Not available yet",
            _ => "Something went wrong",
        };
        let shell = Shell {
            title,
            csrf: "",
            signed_in: false,
            current: Nav::Other,
        };
        let body = layout::page(
            &shell,
            html! {
                h1 { (title) }
                (layout::notice("error", &self.to_string()))
                p { a href="/" { "Back to the overview" } }
            },
        );
        let mut res = HttpResponse::build(self.status_code());
        res.content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"));
        res.body(body.into_string())
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_error_shown_as_a_page_keeps_its_status() {
        let page = |code| PageError::from(ApiError::new(code, "why")).status_code();
        assert_eq!(page(ErrorCode::NotReady), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(page(ErrorCode::Conflict), StatusCode::CONFLICT);
        assert_eq!(page(ErrorCode::NotFound), StatusCode::NOT_FOUND);
        assert_eq!(page(ErrorCode::BadRequest), StatusCode::BAD_REQUEST);
        assert_eq!(page(ErrorCode::Internal), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
