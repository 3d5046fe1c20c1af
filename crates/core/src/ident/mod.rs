//! Identifier validation and masking: citizen ID numbers (GB 11643-1999), phone
//! numbers, vehicle plates (GA 36-2018) and personal names.
//!
//! Everything here is a pure function. Validators take the raw user input, return the
//! normalised form on success and a [`FieldError`] with a stable code otherwise.
//! Empty (or all-whitespace) input is reported as [`FieldError::required`]; callers
//! with optional fields should skip validation for empty values themselves.
//!
//! Maskers never panic and work on `char`s, so multibyte input is safe. A masked value
//! always has one output char per input char (after trimming), except that phone
//! numbers are masked in their normalised form.
//!
//! Rules: law-facts.md §6.1 (ID number), §6.2 (region codes), §6.3 (plates).

mod find;
mod id_number;
mod mask;
mod phone;
mod plate;
#[cfg(test)]
mod tests;

pub use find::{Found, IdentKind, find_identifiers, mask_identifiers};
pub use id_number::{ID_MIN_BIRTH_DATE, id_check_char, id_number_birth_date, validate_id_number};
pub use mask::{mask_id_number, mask_name, mask_phone};
pub use phone::{Phone, parse_phone, validate_phone};
pub use plate::{PLATE_PROVINCES, validate_plate};
