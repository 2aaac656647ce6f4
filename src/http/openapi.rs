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

    #[test]
    fn the_openapi_error_schema_lists_exactly_our_codes() {
        let spec = super::spec_json();
        let listed: Vec<&str> = spec["components"]["schemas"]["Error"]["properties"]["error"]
            ["properties"]["code"]["enum"]
            .as_array()
            .expect("Error.code has an enum")
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let ours: Vec<&str> = crate::app::error::ErrorCode::ALL
            .iter()
            .map(|c| c.as_str())
            .collect();
        assert_eq!(listed, ours);
    }
}
