//! Shared HTTP pieces of the API: problem+json errors, the JSON body reader, who is
//! asking (sessions, language), and the OpenAPI document.

pub mod json;
pub mod openapi;
pub mod problem;
pub mod session;
#[cfg(test)]
mod tests;
