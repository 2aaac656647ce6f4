//! HMAC-SHA256 helpers shared by the trackers, compared in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// Checks a hex-encoded HMAC-SHA256 of `body` under `secret`, in constant time.
pub fn verify_hex_hmac(secret: &[u8], body: &[u8], hex_signature: &str) -> bool {
    let Ok(given) = hex::decode(hex_signature.trim()) else {
        return false;
    };
    let mut mac = HmacSha256::new_from_slice(secret).expect("hmac takes keys of any length");
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// Computes the hex HMAC-SHA256 of `body`; used by tests, benchmarks and the replay tool.
pub fn hex_hmac(secret: &[u8], body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(secret).expect("hmac takes keys of any length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Compares two byte strings in constant time (for shared tokens).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_signature_made_with_the_secret_verifies() {
        let sig = hex_hmac(b"s3cret", b"{\"a\":1}");
        assert!(verify_hex_hmac(b"s3cret", b"{\"a\":1}", &sig));
        assert!(!verify_hex_hmac(b"other", b"{\"a\":1}", &sig));
        assert!(!verify_hex_hmac(b"s3cret", b"{\"a\":2}", &sig));
        assert!(!verify_hex_hmac(b"s3cret", b"{\"a\":1}", "zz"));
    }

    proptest! {
        #[test]
        fn flipping_any_body_byte_breaks_the_signature(
            body in proptest::collection::vec(any::<u8>(), 1..512),
            idx in any::<prop::sample::Index>(),
            bit in 0u8..8,
        ) {
            let sig = hex_hmac(b"k", &body);
            let mut changed = body.clone();
            let i = idx.index(changed.len());
            changed[i] ^= 1 << bit;
            prop_assert!(!verify_hex_hmac(b"k", &changed, &sig));
        }

        #[test]
        fn flipping_any_signature_char_breaks_it(
            body in proptest::collection::vec(any::<u8>(), 0..256),
            idx in 0usize..64,
        ) {
            let sig = hex_hmac(b"k", &body);
            let mut chars: Vec<char> = sig.chars().collect();
            chars[idx] = if chars[idx] == '0' { '1' } else { '0' };
            let changed: String = chars.into_iter().collect();
            prop_assert!(!verify_hex_hmac(b"k", &body, &changed));
        }
    }
}
