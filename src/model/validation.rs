//! Range checks for model settings, with errors that name the field and its allowed range.

/// A setting outside its documented range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field} must be between {min} and {max}, not {value}")]
pub struct ConfigError {
    /// The setting's name.
    pub field: &'static str,
    /// The value given.
    pub value: f64,
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: f64,
}

/// `Ok` when `value` lies in `[min, max]` (and is a number).
pub fn check_range(field: &'static str, value: f64, min: f64, max: f64) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError { field, value, min, max })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field_and_the_range() {
        assert_eq!(check_range("latent", 16.0, 2.0, 64.0), Ok(()));
        let err = check_range("latent", 100.0, 2.0, 64.0).unwrap_err();
        assert_eq!(err.to_string(), "latent must be between 2 and 64, not 100");
        assert!(check_range("beta", f64::NAN, 0.0, 10.0).is_err());
    }
}
