//! The guard of the management API under `/api/`: bearer tokens, or, with none configured,
//! callers on this machine only (a rule the web page shares).

use crate::app::error::{ApiError, ErrorCode};
use crate::config::Settings;
use crate::trackers::signature::constant_time_eq;
use actix_web::dev::ServiceRequest;
use actix_web::http::{header, Method};
use actix_web::HttpMessage;

/// What a caller of `/api/` may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Read,
    Operator,
}

/// Decides the caller's role from `Authorization: Bearer <token>` (the scheme in any case),
/// or refuses with 401. With no token configured the API is open to callers on this machine
/// only: the peer must be a loopback address and the `Host` a loopback name (a page in the
/// user's browser can point its own DNS name at 127.0.0.1, but cannot choose the `Host` its
/// browser sends), and a state-changing request must not come from another site (a
/// cross-site form POST needs no preflight); those refusals are 403.
pub fn authenticate(settings: &Settings, req: &ServiceRequest) -> Result<Role, ApiError> {
    let api = &settings.api;
    if !api.has_tokens() {
        return local_only(req.request(), "the management API");
    }
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .ok_or_else(|| unauthorized("missing bearer token"))?;
    let matches = |tokens: &[crate::config::Secret]| {
        // Compare against every token so timing does not tell which list matched.
        tokens.iter().fold(false, |hit, t| {
            constant_time_eq(t.expose().as_bytes(), presented.as_bytes()) | hit
        })
    };
    let operator = matches(&api.operator_tokens);
    let read = matches(&api.read_tokens);
    match (operator, read) {
        (true, _) => Ok(Role::Operator),
        (false, true) => Ok(Role::Read),
        _ => Err(unauthorized("invalid bearer token")),
    }
}

/// The rule with no token configured: a loopback peer and a loopback `Host`, and no
/// cross-site state-changing request (`what` names the refused surface in the message).
pub fn local_only(req: &actix_web::HttpRequest, what: &str) -> Result<Role, ApiError> {
    let peer_is_local = req
        .peer_addr()
        .is_some_and(|p| p.ip().to_canonical().is_loopback());
    if !peer_is_local {
        return Err(unauthorized(&format!(
            "{what} has no tokens configured and answers only callers on this machine"
        )));
    }
    let host = request_host(req);
    if !host.is_some_and(is_loopback_host) {
        return Err(forbidden(
            "the Host header must name this machine (localhost, 127.0.0.1 or [::1])",
        ));
    }
    if changes_state(req.method()) && is_cross_site(req, host.unwrap_or_default()) {
        return Err(forbidden("cross-site requests may not change anything"));
    }
    Ok(Role::Operator)
}

/// The token of an `Authorization: Bearer <token>` value; the scheme is case-insensitive
/// (RFC 9110 §11.1).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(char::is_whitespace)?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The `Host` the client sent (HTTP/2 carries it as the URI's authority). Forwarding headers
/// are not read: any client can write them.
pub fn request_host(req: &actix_web::HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
}

/// `localhost`, `127.0.0.1` (any of 127/8) or `[::1]`, with any port.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((addr, rest)) if rest.is_empty() || is_port(rest) => addr,
            _ => return false,
        },
        None => match host.rsplit_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return false,
            None => host,
        },
    };
    let name = name.strip_suffix('.').unwrap_or(name);
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn is_port(s: &str) -> bool {
    s.strip_prefix(':').unwrap_or(s).parse::<u16>().is_ok()
}

fn changes_state(method: &Method) -> bool {
    !matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS")
}

/// True when the browser says the request comes from another site: `Sec-Fetch-Site` other
/// than `same-origin` or `none` (typed by the user), or an `Origin` whose authority is not
/// the `Host` asked for. Clients that send neither (curl, scripts) are not browsers.
pub fn is_cross_site(req: &actix_web::HttpRequest, host: &str) -> bool {
    let h = req.headers();
    if let Some(site) = h.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or("");
        if !site.eq_ignore_ascii_case("same-origin") && !site.eq_ignore_ascii_case("none") {
            return true;
        }
    }
    match h.get(header::ORIGIN).map(|o| o.to_str().unwrap_or("")) {
        None => false,
        Some(origin) => match url::Url::parse(origin) {
            Ok(u) => {
                let authority = match (u.host_str(), u.port()) {
                    (Some(h), Some(p)) => format!("{h}:{p}"),
                    (Some(h), None) => h.to_string(),
                    (None, _) => return true,
                };
                !authority.eq_ignore_ascii_case(host)
            }
            // `null` (a sandboxed page, a redirect) and anything unreadable
            Err(_) => true,
        },
    }
}

/// Refuses (403) a caller whose role is below `needed`.
pub fn require(req: &actix_web::HttpRequest, needed: Role) -> Result<(), ApiError> {
    let role = req
        .extensions()
        .get::<Role>()
        .copied()
        .unwrap_or(Role::Read);
    if role >= needed {
        Ok(())
    } else {
        Err(forbidden("this action needs an operator token"))
    }
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(ErrorCode::Unauthorized, message)
}

fn forbidden(message: &str) -> ApiError {
    ApiError::new(ErrorCode::Forbidden, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;
    use actix_web::test::TestRequest;

    fn open() -> Settings {
        Settings::from_toml("").unwrap()
    }

    fn with_tokens() -> Settings {
        let mut s = open();
        s.api.read_tokens = vec![Secret::new("r-token")];
        s.api.operator_tokens = vec![Secret::new("o-token")];
        s
    }

    fn local(host: &str) -> TestRequest {
        TestRequest::get()
            .uri("/api/v1/jobs")
            .peer_addr("127.0.0.1:50000".parse().unwrap())
            .insert_header((header::HOST, host))
    }

    fn status(s: &Settings, r: TestRequest) -> Result<Role, u16> {
        authenticate(s, &r.to_srv_request()).map_err(|e| e.status().as_u16())
    }

    #[test]
    fn without_tokens_only_a_loopback_peer_is_let_in() {
        let s = open();
        assert_eq!(status(&s, local("127.0.0.1:8080")), Ok(Role::Operator));
        let remote = local("127.0.0.1:8080").peer_addr("10.1.2.3:50000".parse().unwrap());
        assert_eq!(status(&s, remote), Err(401));
        let mapped = local("localhost").peer_addr("[::ffff:127.0.0.1]:1".parse().unwrap());
        assert_eq!(status(&s, mapped), Ok(Role::Operator));
    }

    #[test]
    fn without_tokens_a_foreign_host_is_refused() {
        let s = open();
        for ok in [
            "localhost",
            "LOCALHOST:8080",
            "127.0.0.1",
            "127.0.0.1:1",
            "[::1]",
            "[::1]:8080",
        ] {
            assert_eq!(status(&s, local(ok)), Ok(Role::Operator), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "[::1]x",
            "localhost:notaport",
        ] {
            assert_eq!(status(&s, local(bad)), Err(403), "{bad}");
        }
        let no_host = TestRequest::get().peer_addr("127.0.0.1:1".parse().unwrap());
        assert_eq!(status(&s, no_host), Err(403));
    }

    #[test]
    fn without_tokens_cross_site_posts_are_refused_and_same_origin_ones_pass() {
        let s = open();
        let post = || local("localhost:8080").method(Method::POST);
        assert_eq!(status(&s, post()), Ok(Role::Operator));
        let same = post()
            .insert_header((header::ORIGIN, "http://localhost:8080"))
            .insert_header(("sec-fetch-site", "same-origin"));
        assert_eq!(status(&s, same), Ok(Role::Operator));
        let cross = post().insert_header((header::ORIGIN, "https://evil.example"));
        assert_eq!(status(&s, cross), Err(403));
        assert_eq!(
            status(&s, post().insert_header((header::ORIGIN, "null"))),
            Err(403)
        );
        let site = post().insert_header(("sec-fetch-site", "cross-site"));
        assert_eq!(status(&s, site), Err(403));
        // a read is harmless however it was sent
        let get = local("localhost:8080").insert_header(("sec-fetch-site", "cross-site"));
        assert_eq!(status(&s, get), Ok(Role::Operator));
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        let s = with_tokens();
        let auth = |v: &str| local("x").insert_header((header::AUTHORIZATION, v));
        assert_eq!(status(&s, auth("Bearer o-token")), Ok(Role::Operator));
        assert_eq!(status(&s, auth("bearer r-token")), Ok(Role::Read));
        assert_eq!(status(&s, auth("BEARER  r-token ")), Ok(Role::Read));
        assert_eq!(status(&s, auth("Basic r-token")), Err(401));
        assert_eq!(status(&s, auth("Bearerr-token")), Err(401));
        assert_eq!(status(&s, auth("bearer nope")), Err(401));
    }
}
