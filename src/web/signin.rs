//! Sign-in and sign-out. With tokens configured, the sign-in page takes a read (or operator)
//! token and answers a session cookie; with none, there is nothing to sign in to (this
//! machine is let in) and the page sends the visitor home.

use super::layout::{self, Nav, Shell};
use super::session;
use super::viewer::check_form;
use super::{Csrf, PageError};
use crate::app::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;
use serde::Deserialize;
use std::time::Instant;

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<NextQuery>,
) -> HttpResponse {
    if !state.settings.api.has_tokens() {
        return see_other("/");
    }
    let csrf = Csrf::of(&req);
    render(
        &state,
        &csrf,
        &session::safe_next(q.next.as_deref()),
        None,
        StatusCode::OK,
    )
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, PageError> {
    let settings = &state.settings;
    if !settings.api.has_tokens() {
        return Ok(see_other("/"));
    }
    let csrf = Csrf::of(&req);
    let next = session::safe_next(form.next.as_deref());
    if check_form(&req, &form.csrf).is_err() {
        let msg = "This sign-in form has expired; please try again.";
        return Ok(render(
            &state,
            &csrf,
            &next,
            Some(msg),
            StatusCode::FORBIDDEN,
        ));
    }
    let peer = req.peer_addr().map(|p| p.ip());
    if let Err(wait) = state.throttle.check(peer) {
        let secs = crate::app::throttle::retry_after_secs(wait);
        let msg = format!("Too many wrong tokens from your address. Try again in {secs} s.");
        let mut page = render(
            &state,
            &csrf,
            &next,
            Some(&msg),
            StatusCode::TOO_MANY_REQUESTS,
        );
        page.headers_mut().insert(header::RETRY_AFTER, secs.into());
        return Ok(page);
    }
    let Some((role, token)) = session::role_of_token(settings, form.token.trim()) else {
        // counted, and summed up in the log by the throttle (not a line per guess)
        state
            .throttle
            .failed(peer, crate::app::throttle::Surface::SignIn);
        let msg = "That token is not valid. Ask your TicketLens admin for a read token.";
        return Ok(render(
            &state,
            &csrf,
            &next,
            Some(msg),
            StatusCode::UNAUTHORIZED,
        ));
    };
    let hours = settings.web.session_hours;
    let expires = crate::store::now_ms() + (hours.min(24 * 365) as i64) * 3_600_000;
    let value = session::issue(&token, role, expires);
    Ok(HttpResponse::SeeOther()
        .cookie(session::session_cookie(
            value,
            hours,
            settings.web.secure_cookies,
        ))
        .insert_header((header::LOCATION, next))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

pub async fn signout(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    check_form(&req, &form.csrf)?;
    // the cookie is cleared below, but a copy of it (a shared machine, a proxy's log) would
    // still be valid until it expires: its session is revoked for every replica
    let now = crate::store::now_ms();
    let signed_in = req
        .cookie(session::SESSION_COOKIE)
        .and_then(|c| session::session_of(&state.settings, c.value(), now));
    if let Some(s) = signed_in {
        state
            .store
            .revoke_session(&s.id, s.expires_ms)
            .await
            .map_err(PageError::internal)?;
    }
    let target = if state.settings.api.has_tokens() {
        "/signin"
    } else {
        "/"
    };
    Ok(HttpResponse::SeeOther()
        .cookie(session::cleared_session(state.settings.web.secure_cookies))
        .insert_header((header::LOCATION, target))
        .finish())
}

fn render(
    state: &AppState,
    csrf: &Csrf,
    next: &str,
    error: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let shell = Shell {
        title: "Sign in",
        csrf: &csrf.value,
        signed_in: false,
        current: Nav::Other,
    };
    let main = html! {
        h1 { "Sign in" }
        p class="sub" { "TicketLens shows where tickets land in the code, how fragile it is and who knows it. Sign in with the read token your admin gave you." }
        @if let Some(e) = error { (layout::notice("error", e)) }
        form method="post" action="/signin" class="stack" {
            input type="hidden" name="csrf" value=(csrf.value);
            input type="hidden" name="next" value=(next);
            label for="token" { "Token" }
            input type="password" id="token" name="token" autocomplete="current-password" required autofocus;
            div { button type="submit" { "Sign in" } }
        }
    };
    super::html(
        status,
        csrf,
        state.settings.web.secure_cookies,
        Instant::now(),
        layout::page(&shell, main),
    )
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_string()))
        .finish()
}
