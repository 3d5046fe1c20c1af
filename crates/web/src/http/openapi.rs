//! The OpenAPI document: its header here; each capability registers its own paths
//! (and the schemas they use) through its `OpenApiRouter`, tagged by [`capability`].
//! [`truthful`] then writes what the shared layers answer on every operation (sign-in,
//! the origin check, the JSON body reader, problem+json), so an endpoint added tomorrow
//! is documented as the server really behaves without its author listing any of it.

use axum::Router;
use axum::http::header;
use axum::routing::get;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder};
use utoipa::openapi::security::{SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, ObjectBuilder, Ref, RefOr};
use utoipa::openapi::{Response, ResponseBuilder, Schema, Type};
use utoipa::{OpenApi, PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use super::problem::Problem;
use super::session::SESSION_COOKIE;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Frontline API",
        description = "一线警务平台 / Frontline policing operations API. \
            Sign in with `POST /api/v1/session`; send the returned token as \
            `Authorization: Bearer <token>` (the browser uses the same token as the \
            session cookie). Every error is `application/problem+json`."
    ),
    tags(
        (name = "session", description = "登录、退出、当前用户 / Signing in and out, who is signed in"),
        (name = "org", description = "单位与辖区 / Units and districts"),
        (name = "incident", description = "接警 / Incidents: intake, lifecycle, list, export, unmasking"),
        (name = "case", description = "案件与办案期限 / Cases: acceptance, lifecycle, deadlines"),
        (name = "notify", description = "通知 / Notifications: the signed-in officer's inbox"),
        (name = "penalty", description = "治安处罚裁量 / Penalty discretion"),
        (name = "period", description = "法定期限与节假日 / Legal periods and holiday calendars"),
    )
)]
pub struct ApiDoc;

/// The security scheme of the bearer token (`Authorization: Bearer <token>`).
pub const BEARER: &str = "bearer";
/// The security scheme of the session cookie (the same token, for the browser).
pub const COOKIE: &str = "session_cookie";

/// Tags every operation of a capability's router with the capability's name (one of
/// [`ApiDoc`]'s tags), so the document groups operations as the code does.
pub fn capability<S>(tag: &str, mut router: OpenApiRouter<S>) -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    for (_, _, op) in operations_mut(router.get_openapi_mut()) {
        op.tags = Some(vec![tag.to_string()]);
    }
    router
}

/// The document as served, pretty-printed.
pub fn to_json(doc: &utoipa::openapi::OpenApi) -> String {
    let mut doc = doc.clone();
    truthful(&mut doc);
    doc.to_pretty_json().unwrap_or_default()
}

/// What every operation answers besides its own results, from the layers it passes:
/// - an operation is signed-in unless its `#[utoipa::path]` says `security(())`: it
///   gets both security schemes, 401 and 403 (the `ApiSession` extractor: no valid
///   session, or one whose password must be changed first);
/// - an unsafe method gets 403 (a cookie write from another site is refused first);
/// - an operation with parameters gets 400 (the extractors' refusals);
/// - an operation with a request body gets 400, 413, 415 and 422 (`http::json`);
/// - every answer of 400 and above is `application/problem+json` with [`Problem`]
///   (that is what `http::problem` writes; the schema is registered here), 429 with
///   its `Retry-After`;
/// - a created object links to the operations on its path ([`link_created_objects`]).
///
pub fn truthful(doc: &mut utoipa::openapi::OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "The token of `POST /api/v1/session` (also the session cookie's value)",
                ))
                .build(),
        ),
    );
    components.add_security_scheme(
        COOKIE,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            SESSION_COOKIE,
            "The session cookie set by signing in; writes with it must come from this site",
        ))),
    );
    let mut problem = Vec::new();
    <Problem as ToSchema>::schemas(&mut problem);
    problem.push((Problem::name().into_owned(), Problem::schema()));
    for (name, schema) in problem {
        components.schemas.entry(name).or_insert(schema);
    }
    link_created_objects(doc);
    for (_, method, op) in operations_mut(doc) {
        let signed_in = op.security.is_none();
        if signed_in {
            op.security = Some(vec![
                SecurityRequirement::new(BEARER, Vec::<String>::new()),
                SecurityRequirement::new(COOKIE, Vec::<String>::new()),
            ]);
            add(op, "401");
            // An account that must change its password first is refused everything else.
            add(op, "403");
        }
        if !matches!(method, "get" | "head" | "options") {
            add(op, "403");
        }
        // The path and query extractors refuse what they cannot read (a parameter given
        // twice, a path that is not UTF-8) before the handler runs.
        if op.parameters.as_ref().is_some_and(|p| !p.is_empty()) {
            add(op, "400");
        }
        if op.request_body.is_some() {
            for status in ["400", "413", "415", "422"] {
                add(op, status);
            }
        }
        for (status, response) in op.responses.responses.iter_mut() {
            if let RefOr::T(r) = response
                && status.parse::<u16>().is_ok_and(|s| s >= 400)
            {
                as_problem(status, r);
            }
        }
    }
}

/// A `201` whose body is an object with an `id` links to the operations on that object
/// (`POST /api/v1/incidents` → `/api/v1/incidents/{id}`, …), so clients and the attack's
/// stateful phase can follow a created object without being told how.
fn link_created_objects(doc: &mut utoipa::openapi::OpenApi) {
    let with_id: Vec<String> = doc
        .components
        .iter()
        .flat_map(|c| c.schemas.iter())
        .filter(
            |(_, s)| matches!(s, RefOr::T(Schema::Object(o)) if o.properties.contains_key("id")),
        )
        .map(|(name, _)| format!("#/components/schemas/{name}"))
        .collect();
    let targets: Vec<(String, String, String)> = operations_mut(doc)
        .filter_map(|(path, _, op)| {
            let id = op.operation_id.clone()?;
            // One parameter, the object's: `/api/v1/incidents/{id}/caller/unmask`.
            if path.matches('{').count() != 1 {
                return None;
            }
            let (_, rest) = path.rsplit_once('{')?;
            let (param, _) = rest.split_once('}')?;
            let parent = &path[..path.find('{')?];
            Some((parent.to_string(), param.to_string(), id))
        })
        .collect();
    for (path, method, op) in operations_mut(doc) {
        let Some(RefOr::T(created)) = op.responses.responses.get_mut("201") else {
            continue;
        };
        let body_has_id = created.content.values().any(|c| {
            matches!(c, RefOr::T(c)
                if matches!(&c.schema, Some(RefOr::Ref(r)) if with_id.contains(&r.ref_location)))
        });
        if method != "post" || !body_has_id {
            continue;
        }
        for (parent, param, id) in &targets {
            if parent.trim_end_matches('/') == path {
                let link = LinkBuilder::new()
                    .operation_id(id)
                    .parameter(param, "$response.body#/id")
                    .build();
                created.links.insert(id.clone(), RefOr::T(link));
            }
        }
    }
}

/// Documents `status` on `op` unless the operation says it already.
fn add(op: &mut Operation, status: &str) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| RefOr::T(ResponseBuilder::new().build()));
}

/// An error answer: problem+json whatever the handler wrote, with the shared meaning
/// of its status when the handler gave none.
fn as_problem(status: &str, r: &mut Response) {
    let problem = ContentBuilder::new()
        .schema(Some(RefOr::Ref(Ref::from_schema_name("Problem"))))
        .build();
    r.content.clear();
    r.content
        .insert("application/problem+json".to_string(), RefOr::T(problem));
    if r.description.is_empty() {
        r.description = meaning(status).to_string();
    }
    if status == "429" {
        r.headers.insert(
            header::RETRY_AFTER.as_str().to_string(),
            RefOr::T(
                HeaderBuilder::new()
                    .schema(Some(
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .minimum(Some(1)),
                    ))
                    .description(Some("Seconds to wait before trying again"))
                    .build(),
            ),
        );
    }
}

fn meaning(status: &str) -> &'static str {
    match status {
        "400" => {
            "The request cannot be read: the body is not valid JSON or repeats a key \
             (`body.json`, `body.duplicate_key`), or a path or query parameter cannot be \
             read, e.g. one given twice (`request.rejected`)"
        }
        "401" => "Not signed in: no valid bearer token or session cookie",
        "403" => {
            "Not permitted: the role lacks the action, a cookie write came from another \
             site (`request.cross_origin`), the account must change its password first \
             (`auth.password_change_required`) or set up a second factor \
             (`auth.totp_enrolment_required`), the sign-in waits for its code \
             (`auth.totp_required`), or the operation needs the password or a code \
             re-entered within 10 minutes (`auth.reauthentication_required`)"
        }
        "404" => "Not found, or outside the caller's scope (answered alike)",
        "413" => "The body is too large (`body.too_large`)",
        "415" => "The body is not `application/json` (`body.content_type`)",
        "422" => "Invalid fields, each with its path and code",
        "429" => "Too many attempts; see `Retry-After`",
        _ => "Error",
    }
}

/// Every operation of the document with its path and lower-case method.
fn operations_mut(
    doc: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = (&str, &'static str, &mut Operation)> {
    doc.paths
        .paths
        .iter_mut()
        .flat_map(|(path, item)| item_operations(item).map(move |(m, op)| (path.as_str(), m, op)))
}

fn item_operations(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("options", &mut item.options),
        ("head", &mut item.head),
        ("patch", &mut item.patch),
        ("trace", &mut item.trace),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_mut().map(|op| (m, op)))
}

/// `GET /api/openapi.json`, serving `json` (made once, at start).
pub(crate) fn route(json: String) -> Router<AppState> {
    let json: std::sync::Arc<str> = json.into();
    Router::new().route(
        "/api/openapi.json",
        get(move || {
            let json = json.clone();
            async move {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    json.to_string(),
                )
            }
        }),
    )
}
