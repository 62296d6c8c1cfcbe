//! The percent-decoder of every part of a database URL.

use super::error::{Part, UrlError};

/// Percent-decodes `text` (a `%` must be followed by two hexadecimal
/// digits; `+` stays `+`). The error names `part`, never the text.
pub(crate) fn decode(text: &str, part: Part) -> Result<Vec<u8>, UrlError> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let byte = bytes
                .get(index + 1..index + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .filter(|hex| hex.bytes().all(|digit| digit.is_ascii_hexdigit()))
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or(UrlError::Escape { part })?;
            decoded.push(byte);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    Ok(decoded)
}

/// Percent-decodes `text` into UTF-8 text.
pub(crate) fn decode_text(text: &str, part: Part) -> Result<String, UrlError> {
    String::from_utf8(decode(text, part)?).map_err(|_| UrlError::NotUtf8 { part })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_decoded() {
        assert_eq!(
            decode_text("p%40ss%2Fw%3Ard%25+%e2%82%ac", Part::Password).unwrap(),
            "p@ss/w:rd%+€"
        );
        assert_eq!(decode_text("", Part::Host).unwrap(), "");
        // Bytes that are not UTF-8 are a valid password, but not valid text.
        assert_eq!(decode("%FF%00", Part::Password).unwrap(), [0xff, 0]);
        assert_eq!(
            decode_text("%FF", Part::UserName),
            Err(UrlError::NotUtf8 {
                part: Part::UserName
            })
        );
    }

    #[test]
    fn invalid_escapes_are_errors_that_quote_nothing() {
        // `u8::from_str_radix` alone would take `+F` as a hexadecimal number.
        for text in ["%", "%4", "%zz", "a%+Fb", "%-1", "x%€", "%%41"] {
            let error = decode(text, Part::Parameter("options")).unwrap_err();
            assert_eq!(
                error,
                UrlError::Escape {
                    part: Part::Parameter("options")
                },
                "{text}"
            );
            assert_eq!(
                error.to_string(),
                "the URL's options parameter has a `%` that is not followed by two hexadecimal digits (write `%` itself as %25)"
            );
        }
    }
}
