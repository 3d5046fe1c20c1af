//! Penalty discretion pages: the calculator (治安处罚裁量计算器) with its A4 print note,
//! the catalog of the standard in use, and the administrators' standards page.
//!
//! The calculator works without JavaScript: choosing the article is a GET form (the
//! URL names the article), assessing is a POST (it is audited). `app.js` only narrows
//! the situation list to the chosen violation and tier, and reads a chosen file into
//! the standard's text area.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use frontline_app::AppError;
use frontline_app::auth::Session;
use frontline_app::penalty::{
    ArticleView, AssessPerson, AssessRequest, CatalogQuery, CircumstanceView, PenaltyCatalogView,
    known_article,
};
use frontline_core::penalty::{Assessment, Outcome};
use frontline_core::request::{Given, NumberOrText};
use frontline_core::time::BEIJING;
use frontline_core::{FieldError, Lang};
use serde::Deserialize;

use super::fmt::*;
use crate::AppState;
use crate::http::session::UiSession;
use crate::i18n;
use crate::pages::fmt::{bj_minutes, tf};
use crate::pages::form::{FormErrors, Opt, csrf_ok, parse_query, read_form};
use crate::pages::layout::{Chrome, app_error, error_page, render};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/penalty", get(calculator).post(calculator_assess))
        .route("/penalty/print", post(print_note))
}

// ---------------------------------------------------------------------------
// The calculator
// ---------------------------------------------------------------------------

/// What the calculator form holds (as typed, or the defaults).
#[derive(Default, Clone)]
pub(crate) struct CalcForm {
    pub(crate) csrf: String,
    pub(crate) article: String,
    pub(crate) violation: String,
    pub(crate) item: String,
    pub(crate) tier: String,
    pub(crate) situation: String,
    pub(crate) circumstances: Vec<String>,
    pub(crate) age: String,
    pub(crate) pregnant: bool,
    pub(crate) nursing_infant: bool,
    /// "" (not established: the engine assumes a first offence and says so), "yes", "no".
    pub(crate) first_offence: String,
    pub(crate) foreigner: bool,
    pub(crate) offence_date: String,
}

impl CalcForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> CalcForm {
        let mut f = CalcForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "csrf" => f.csrf = v,
                "article" => f.article = v.trim().to_string(),
                "violation" => f.violation = v.trim().to_string(),
                "item" => f.item = v.trim().to_string(),
                "tier" => f.tier = v.trim().to_string(),
                "situation" => f.situation = v.trim().to_string(),
                "circumstances" if !v.trim().is_empty() && !f.circumstances.contains(&v) => {
                    f.circumstances.push(v)
                }
                "age" => f.age = v.trim().to_string(),
                "pregnant" => f.pregnant = !v.is_empty(),
                "nursing_infant" => f.nursing_infant = !v.is_empty(),
                "first_offence" => f.first_offence = v.trim().to_string(),
                "foreigner" => f.foreigner = !v.is_empty(),
                "offence_date" => f.offence_date = v.trim().to_string(),
                _ => {}
            }
        }
        f
    }

    /// The request in the API's contract, so that one check reads both. Blank fields are
    /// absent; an age that is not a number stays text for the check to refuse.
    fn request(&self) -> AssessRequest {
        let blank = |s: &str| -> Given<String> { (!s.is_empty()).then(|| s.to_string()).into() };
        let text = |s: &str| -> Given<NumberOrText> {
            (!s.is_empty())
                .then(|| NumberOrText::Text(s.to_string()))
                .into()
        };
        let article = if self.violation.is_empty() {
            &self.article
        } else {
            &self.violation
        };
        AssessRequest {
            article: text(article),
            item: text(&self.item),
            tier: blank(&self.tier),
            situation: blank(&self.situation),
            circumstances: Given::Value(
                self.circumstances
                    .iter()
                    .map(|c| Given::Value(c.clone()))
                    .collect(),
            ),
            person: Given::Value(AssessPerson {
                age: text(&self.age),
                pregnant: self.pregnant.into(),
                nursing_infant: self.nursing_infant.into(),
                first_offence: match self.first_offence.as_str() {
                    "yes" => Given::Value(true),
                    "no" => Given::Value(false),
                    "" => Given::Absent,
                    // Anything else is refused by the check with its field error.
                    _ => Given::Wrong,
                },
                foreigner: self.foreigner.into(),
                ..AssessPerson::default()
            }),
            offence_date: blank(&self.offence_date),
            ..AssessRequest::default()
        }
    }

    pub(crate) fn checked(&self, code: &str) -> bool {
        self.circumstances.iter().any(|c| c == code)
    }

    /// The form's fields as hidden inputs (for the print form).
    pub(crate) fn hidden(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![
            ("csrf", self.csrf.clone()),
            ("article", self.article.clone()),
            ("violation", self.violation.clone()),
            ("item", self.item.clone()),
            ("tier", self.tier.clone()),
            ("situation", self.situation.clone()),
            ("age", self.age.clone()),
            ("first_offence", self.first_offence.clone()),
            ("offence_date", self.offence_date.clone()),
        ];
        if self.foreigner {
            v.push(("foreigner", "1".into()));
        }
        if self.pregnant {
            v.push(("pregnant", "1".into()));
        }
        if self.nursing_infant {
            v.push(("nursing_infant", "1".into()));
        }
        for c in &self.circumstances {
            v.push(("circumstances", c.clone()));
        }
        v
    }
}

/// A group of situations: one violation and tier.
pub(crate) struct SitGroup {
    pub(crate) violation: String,
    pub(crate) tier: String,
    pub(crate) label: String,
    pub(crate) options: Vec<Opt>,
}

pub(crate) struct CircOpt {
    pub(crate) code: String,
    pub(crate) label: String,
    pub(crate) note: String,
}

/// One explanation step, ready to show.
pub(crate) struct StepRow {
    pub(crate) basis: String,
    pub(crate) effect: String,
    pub(crate) what: String,
    pub(crate) note: String,
    pub(crate) after: String,
}

/// The assessment as shown.
pub(crate) struct ResultView {
    pub(crate) outcome: String,
    pub(crate) outcome_class: &'static str,
    pub(crate) law: String,
    pub(crate) cite: String,
    pub(crate) tier: String,
    pub(crate) statute: String,
    pub(crate) range: String,
    pub(crate) situation: String,
    pub(crate) situation_range: String,
    pub(crate) recommended: String,
    pub(crate) steps: Vec<StepRow>,
}

fn circ_label(cat: &PenaltyCatalogView, code: &str, lang: Lang) -> String {
    cat.statutory_circumstances
        .iter()
        .chain(cat.circumstances.iter())
        .find(|c| c.code == code)
        .map(|c| match lang {
            Lang::Zh => c.name_zh.clone(),
            Lang::En => c.name_en.clone(),
        })
        .unwrap_or_else(|| code.to_string())
}

fn result_view(a: &Assessment, cat: &PenaltyCatalogView, lang: Lang) -> ResultView {
    let r = &a.range;
    let sit = r.situation.as_ref();
    let outcome_key = match a.outcome {
        Outcome::Penalty => "penalty",
        Outcome::Exempt => "exempt",
        Outcome::TimeBarred => "time_barred",
        Outcome::NotPunishable => "not_punishable",
    };
    let cite = frontline_core::penalty::rules::Cite::psapl(
        frontline_core::penalty::LawVersion::V2025,
        r.article,
        r.paragraph,
        0,
    );
    ResultView {
        outcome: i18n::t(lang, &format!("penalty.outcome_tag.{outcome_key}")),
        outcome_class: match a.outcome {
            Outcome::Penalty => "tag--warn",
            _ => "tag--success",
        },
        law: match lang {
            Lang::Zh => a.law_version.name_zh().to_string(),
            Lang::En => format!("PSAPL ({})", a.law_version.as_str()),
        },
        cite: match lang {
            Lang::Zh => cite.text_zh(),
            Lang::En => cite.text_en(),
        },
        tier: i18n::t(lang, &format!("penalty.tier.{}", r.tier.as_str())),
        statute: r.text_zh.clone(),
        range: range_text(lang, r.warning, r.detention_days, r.fine_yuan),
        situation: sit.map(|s| s.name_zh.clone()).unwrap_or_default(),
        situation_range: sit
            .map(|s| range_text(lang, s.warning, s.detention_days, s.fine_yuan))
            .unwrap_or_default(),
        recommended: recommended_text(lang, a.outcome, &a.recommended),
        steps: a
            .explain
            .iter()
            .map(|s| {
                let effect = serde_json::to_value(s.effect)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                let what = s
                    .code
                    .as_ref()
                    .map(|c| circ_label(cat, c, lang))
                    .unwrap_or_default();
                StepRow {
                    basis: match lang {
                        Lang::Zh => s.basis.text_zh(),
                        Lang::En => s.basis.text_en(),
                    },
                    effect: i18n::t(lang, &format!("penalty.effect.{effect}")),
                    what,
                    note: match lang {
                        Lang::Zh => s.note_zh.to_string(),
                        Lang::En => s.note_en.to_string(),
                    },
                    after: s
                        .after
                        .map(|x| recommended_text(lang, Outcome::Penalty, &x))
                        .unwrap_or_default(),
                }
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "penalty/calculator.html")]
struct CalcPage {
    c: Chrome,
    q: String,
    /// Articles matching the search, for the picker.
    choices: Vec<Opt>,
    /// The chosen article.
    article: Option<ArticleView>,
    violations: Vec<Opt>,
    items: Vec<Opt>,
    situations: Vec<SitGroup>,
    statutory: Vec<CircOpt>,
    discretionary: Vec<CircOpt>,
    standard: String,
    v: CalcForm,
    errs: FormErrors,
    result: Option<ResultView>,
    hidden: Vec<(&'static str, String)>,
}

#[derive(Deserialize, Default)]
pub(super) struct CalcQuery {
    pub(super) q: Option<String>,
    pub(super) article: Option<String>,
}

fn calc_labels(lang: Lang) -> Vec<(&'static str, String)> {
    [
        ("article", "penalty.article"),
        ("violation", "penalty.violation"),
        ("item", "penalty.item"),
        ("tier", "penalty.tier"),
        ("situation", "penalty.situation"),
        ("circumstances", "penalty.circumstances"),
        ("person_age", "penalty.age"),
        ("person_pregnant", "penalty.pregnant"),
        ("person_nursing_infant", "penalty.nursing_infant"),
        ("person_first_offence", "penalty.first_offence"),
        ("person_foreigner", "penalty.foreigner"),
        ("offence_date", "penalty.offence_date"),
    ]
    .into_iter()
    .map(|(id, key)| (id, i18n::t(lang, key)))
    .collect()
}

fn circ_opts(list: &[CircumstanceView], lang: Lang) -> Vec<CircOpt> {
    list.iter()
        .map(|c| CircOpt {
            code: c.code.clone(),
            label: match lang {
                Lang::Zh => c.name_zh.clone(),
                Lang::En => c.name_en.clone(),
            },
            note: match (&c.cite_zh, &c.cite_en, c.steps) {
                (Some(z), Some(e), _) => match lang {
                    Lang::Zh => z.clone(),
                    Lang::En => e.clone(),
                },
                (_, _, Some(s)) => tf(lang, "penalty.steps", &[("steps", &format!("{s:+}"))]),
                _ => String::new(),
            },
        })
        .collect()
}

/// Builds the calculator page for `article` (number or code), with the search `q`.
async fn calc_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    q: &str,
    v: CalcForm,
    errs: FormErrors,
    result: Option<&Assessment>,
) -> Result<CalcPage, AppError> {
    let app = &state.app;
    let all = app
        .penalty_catalog(&session.actor, &CatalogQuery::default())
        .await?;
    let search = app
        .penalty_catalog(
            &session.actor,
            &CatalogQuery {
                q: Some(q.to_string()),
                article: None,
            },
        )
        .await?;
    let chosen_no = frontline_app::penalty::article_number(&v.article);
    let article = chosen_no.and_then(|n| all.articles.iter().find(|a| a.article == n).cloned());
    let cat = match chosen_no.filter(|_| article.is_some()) {
        Some(n) => {
            app.penalty_catalog(
                &session.actor,
                &CatalogQuery {
                    q: None,
                    article: Some(n.to_string()),
                },
            )
            .await?
        }
        None => all.clone(),
    };
    let title = |a: &ArticleView| match lang {
        Lang::Zh => format!("第{}条 {}", a.article, a.title_zh),
        Lang::En => format!(
            "Art. {} {}",
            a.article,
            a.title_en.clone().unwrap_or_else(|| a.title_zh.clone())
        ),
    };
    let choices = search
        .articles
        .iter()
        .map(|a| Opt {
            value: a.article.to_string(),
            label: title(a),
        })
        .collect();
    let mut violations = Vec::new();
    let mut situations = Vec::new();
    let mut items = Vec::new();
    if let Some(a) = &article {
        for vi in a.violations.iter().filter(|x| x.assessable) {
            violations.push(Opt {
                value: vi.code.clone(),
                label: format!("{} {}", vi.code, vi.applies_to_zh),
            });
            for t in &vi.tiers {
                if t.situations.is_empty() {
                    continue;
                }
                situations.push(SitGroup {
                    violation: vi.code.clone(),
                    tier: t.tier.clone(),
                    label: format!(
                        "{} · {} · {}",
                        vi.code,
                        i18n::t(lang, &format!("penalty.tier.{}", t.tier)),
                        range_text(lang, t.warning, vec2(&t.detention_days), vec2(&t.fine_yuan))
                    ),
                    options: t
                        .situations
                        .iter()
                        .map(|s| Opt {
                            value: s.code.clone(),
                            label: format!(
                                "{}（{}）{}",
                                match lang {
                                    Lang::Zh => &s.name_zh,
                                    Lang::En => &s.name_en,
                                },
                                range_text(
                                    lang,
                                    s.warning,
                                    vec2(&s.detention_days),
                                    vec2(&s.fine_yuan)
                                ),
                                if s.default {
                                    i18n::t(lang, "penalty.default_mark")
                                } else {
                                    String::new()
                                }
                            ),
                        })
                        .collect(),
                });
            }
        }
        items = a
            .items
            .iter()
            .map(|i| Opt {
                value: i.item.to_string(),
                label: format!(
                    "（{}）{}",
                    i.item,
                    match lang {
                        Lang::Zh => &i.name_zh,
                        Lang::En => &i.name_en,
                    }
                ),
            })
            .collect();
    }
    let mut v = v;
    if let Some(a) = &article {
        v.article = a.article.to_string();
    }
    let hidden = v.hidden();
    Ok(CalcPage {
        c: Chrome::new(
            state,
            Some(session),
            lang,
            "penalty",
            &match &article {
                Some(a) => format!("/penalty?article={}", a.article),
                None => "/penalty".to_string(),
            },
        ),
        q: q.to_string(),
        choices,
        violations,
        items,
        situations,
        statutory: circ_opts(&cat.statutory_circumstances, lang),
        discretionary: circ_opts(&cat.circumstances, lang),
        standard: format!("{}（{}）", all.standard.name_zh, all.standard.version),
        result: result.map(|a| result_view(a, &cat, lang)),
        article,
        v,
        errs,
        hidden,
    })
}

fn today(state: &AppState) -> String {
    state
        .app
        .now()
        .with_timezone(&BEIJING)
        .date_naive()
        .to_string()
}

async fn calculator(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    RawQuery(q): RawQuery,
) -> Response {
    if !state.app.capabilities(&session.actor).assess_penalties {
        return error_page(&state, Some(&session), lang, StatusCode::FORBIDDEN);
    }
    let q: CalcQuery = parse_query(q);
    let v = CalcForm {
        article: q.article.clone().unwrap_or_default(),
        offence_date: today(&state),
        csrf: session.csrf_token.clone(),
        ..CalcForm::default()
    };
    let text = q.q.clone().unwrap_or_default();
    // An unknown article asked for in the URL: say so beside the picker.
    let errs = match q
        .article
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|a| known_article(&state.app.penalty_engine().engine, a))
    {
        Some(Err(e)) => FormErrors::new(&[e], lang, &calc_labels(lang)),
        _ => FormErrors::default(),
    };
    let status = if errs.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    match calc_page(&state, &session, lang, &text, v, errs, None).await {
        Ok(p) => render(status, &p),
        Err(e) => app_error(&state, &session, lang, e),
    }
}

/// Reads and checks the posted calculator form, then assesses (audited).
async fn assess_form(
    state: &AppState,
    session: &Session,
    body: Result<Bytes, BytesRejection>,
    print: bool,
) -> Result<(CalcForm, Result<Assessment, AppError>), StatusCode> {
    let v = CalcForm::from_pairs(read_form(body)?);
    if !csrf_ok(session, Some(&v.csrf)) {
        return Err(StatusCode::FORBIDDEN);
    }
    let r = match v.request().check() {
        Ok(input) if print => state.app.print_penalty_note(&session.actor, &input).await,
        Ok(input) => state.app.assess_penalty(&session.actor, &input).await,
        Err(e) => Err(AppError::Validation(e)),
    };
    Ok((v, r))
}

async fn calculator_assess(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (v, r) = match assess_form(&state, &session, body, false).await {
        Ok(x) => x,
        Err(status) => return error_page(&state, Some(&session), lang, status),
    };
    let (status, errs, result) = match r {
        Ok(a) => (StatusCode::OK, FormErrors::default(), Some(a)),
        Err(AppError::Validation(errs)) => {
            let errs: Vec<FieldError> = errs
                .into_iter()
                .map(|mut e| {
                    e.field = e.field.replace('.', "_");
                    if e.field.starts_with("circumstances") {
                        e.field = "circumstances".into();
                    }
                    e
                })
                .collect();
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                FormErrors::new(&errs, lang, &calc_labels(lang)),
                None,
            )
        }
        Err(e) => return app_error(&state, &session, lang, e),
    };
    match calc_page(&state, &session, lang, "", v, errs, result.as_ref()).await {
        Ok(p) => render(status, &p),
        Err(e) => app_error(&state, &session, lang, e),
    }
}

#[derive(Template)]
#[template(path = "penalty/print.html")]
struct PrintPage {
    c: Chrome,
    bureau: String,
    article_title: String,
    r: ResultView,
    person: String,
    offence_date: String,
    circumstances: Vec<String>,
    standard: String,
    printed_at: String,
    officer: String,
}

/// The A4 note: the same assessment (audited as a print), without navigation.
async fn print_note(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (v, r) = match assess_form(&state, &session, body, true).await {
        Ok(x) => x,
        Err(status) => return error_page(&state, Some(&session), lang, status),
    };
    let a = match r {
        Ok(a) => a,
        Err(AppError::Validation(_)) => {
            return error_page(&state, Some(&session), lang, StatusCode::BAD_REQUEST);
        }
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let cat = match state
        .app
        .penalty_catalog(
            &session.actor,
            &CatalogQuery {
                q: None,
                article: Some(a.range.article.to_string()),
            },
        )
        .await
    {
        Ok(c) => c,
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let article_title = cat
        .articles
        .first()
        .map(|x| match lang {
            Lang::Zh => format!("第{}条 {}", x.article, x.title_zh),
            Lang::En => format!(
                "Art. {} {}",
                x.article,
                x.title_en.clone().unwrap_or_else(|| x.title_zh.clone())
            ),
        })
        .unwrap_or_default();
    let mut person = tf(lang, "penalty.print.age", &[("age", &v.age)]);
    if v.pregnant {
        person.push_str(&i18n::t(lang, "penalty.list_sep"));
        person.push_str(&i18n::t(lang, "penalty.pregnant"));
    }
    if v.nursing_infant {
        person.push_str(&i18n::t(lang, "penalty.list_sep"));
        person.push_str(&i18n::t(lang, "penalty.nursing_infant"));
    }
    let prior = match v.first_offence.as_str() {
        "yes" => Some("penalty.first_offence.yes"),
        "no" => Some("penalty.first_offence.no"),
        _ => None,
    };
    if let Some(key) = prior {
        person.push_str(&i18n::t(lang, "penalty.list_sep"));
        person.push_str(&i18n::t(lang, key));
    }
    if v.foreigner {
        person.push_str(&i18n::t(lang, "penalty.list_sep"));
        person.push_str(&i18n::t(lang, "penalty.foreigner"));
    }
    let page = PrintPage {
        c: Chrome::new(&state, Some(&session), lang, "penalty", "/penalty"),
        bureau: state.app.bureau_name(),
        article_title,
        person,
        offence_date: v.offence_date.clone(),
        circumstances: v
            .circumstances
            .iter()
            .map(|c| circ_label(&cat, c, lang))
            .collect(),
        standard: format!("{}（{}）", cat.standard.name_zh, cat.standard.version),
        printed_at: bj_minutes(state.app.now()),
        officer: session.actor.display_name.clone(),
        r: result_view(&a, &cat, lang),
    };
    render(StatusCode::OK, &page)
}
