//! `GET /openapi.json`: the committed contract, `openapi/ticketlens.yaml`, served as JSON.

use actix_web::HttpResponse;
use std::sync::OnceLock;

const SPEC_YAML: &str = include_str!("../../openapi/ticketlens.yaml");

/// Parses the embedded spec once; a spec that does not parse fails the test suite.
pub fn spec_json() -> &'static serde_json::Value {
    static SPEC: OnceLock<serde_json::Value> = OnceLock::new();
    SPEC.get_or_init(|| serde_yaml::from_str(SPEC_YAML).expect("openapi/ticketlens.yaml parses"))
}

pub async fn spec() -> HttpResponse {
    HttpResponse::Ok().json(spec_json())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_committed_spec_parses() {
        assert_eq!(super::spec_json()["openapi"], "3.1.0");
    }
}
