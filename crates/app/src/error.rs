use frontline_core::FieldError;
use frontline_store::StoreError;

/// What a use case can answer besides success. The web layer maps these to HTTP:
/// Validation → 422 with field errors, NotFound → 404 (also for objects outside the
/// actor's scope), Forbidden → 403 (an action the role never has), Unauthorized → 401,
/// PasswordChangeRequired → 403 `auth.password_change_required`,
/// TotpEnrolmentRequired → 403 `auth.totp_enrolment_required`, SecondFactorRequired →
/// 403 `auth.totp_required`, ReauthenticationRequired → 403
/// `auth.reauthentication_required`, Throttled → 429,
/// Conflict → 409, Internal → 500 (never for bad input).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("unauthorized")]
    Unauthorized,
    /// Signed in, but the account must choose a new password before anything else.
    #[error("the password must be changed first")]
    PasswordChangeRequired,
    /// Signed in, but a role requires a second factor the officer has not set up: only
    /// enrolment (and sign-out, password change) is allowed.
    #[error("a second factor must be set up first")]
    TotpEnrolmentRequired,
    /// Signed in with the password; the code of the second factor is still to come.
    #[error("the second factor's code is still to come")]
    SecondFactorRequired,
    /// The operation needs the password or a code re-entered recently.
    #[error("re-authentication required")]
    ReauthenticationRequired,
    #[error("too many attempts, retry in {retry_after_secs}s")]
    Throttled { retry_after_secs: u64 },
    #[error("conflict: {0}")]
    Conflict(String),
    /// 409 with a stable code: a step not allowed in the record's state, a stale version.
    #[error("conflict: {}", .0.code)]
    StateConflict(FieldError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Db(e) => AppError::Internal(e.to_string()),
        }
    }
}

impl AppError {
    pub fn field(e: FieldError) -> AppError {
        AppError::Validation(vec![e])
    }
}
