//! Form building blocks: labelled fields with their error announced next to them
//! (`aria-describedby`), the error summary, CSRF fields, one-button action forms, the composer.

use maud::{Markup, html};
use social_core::{ValidationError, Visibility};

/// Validation errors of one form submission.
#[derive(Debug, Default)]
pub struct FormErrors(pub Vec<ValidationError>);

impl FormErrors {
    pub fn one(e: ValidationError) -> Self {
        Self(vec![e])
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The list of problems at the top of a form, each linking to its field.
pub fn summary(errors: &FormErrors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.errors role="alert" aria-labelledby="error-summary" {
                h2 id="error-summary" { "There is a problem" }
                ul {
                    @for e in &errors.0 {
                        li { a href={ "#" (e.field) } { (e.message) } }
                    }
                }
            }
        }
    }
}

pub fn csrf(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// One input of type `kind` with label, optional hint and error.
pub struct Field<'a> {
    pub name: &'static str,
    pub label: &'a str,
    pub kind: &'static str,
    pub value: &'a str,
    pub hint: Option<&'a str>,
    pub autocomplete: Option<&'static str>,
    pub required: bool,
}

impl<'a> Field<'a> {
    pub fn new(name: &'static str, label: &'a str, value: &'a str) -> Self {
        Self {
            name,
            label,
            kind: "text",
            value,
            hint: None,
            autocomplete: None,
            required: false,
        }
    }
    pub fn password(name: &'static str, label: &'a str, autocomplete: &'static str) -> Self {
        Self {
            kind: "password",
            autocomplete: Some(autocomplete),
            required: true,
            ..Self::new(name, label, "")
        }
    }
}

fn described_by(name: &str, hint: bool, error: bool) -> Option<String> {
    match (hint, error) {
        (false, false) => None,
        (true, false) => Some(format!("{name}-hint")),
        (false, true) => Some(format!("{name}-error")),
        (true, true) => Some(format!("{name}-hint {name}-error")),
    }
}

pub fn input(f: &Field<'_>, errors: &FormErrors) -> Markup {
    let error = errors.get(f.name);
    html! {
        label for=(f.name) { (f.label) }
        @if let Some(hint) = f.hint { p.hint id={ (f.name) "-hint" } { (hint) } }
        @if let Some(e) = error { p.field-error id={ (f.name) "-error" } { (e) } }
        input type=(f.kind) id=(f.name) name=(f.name) value=(f.value)
            autocomplete=[f.autocomplete] required[f.required]
            aria-invalid=[error.map(|_| "true")]
            aria-describedby=[described_by(f.name, f.hint.is_some(), error.is_some())];
    }
}

pub fn textarea(
    name: &'static str,
    label: &str,
    value: &str,
    hint: Option<&str>,
    errors: &FormErrors,
) -> Markup {
    let error = errors.get(name);
    html! {
        label for=(name) { (label) }
        @if let Some(hint) = hint { p.hint id={ (name) "-hint" } { (hint) } }
        @if let Some(e) = error { p.field-error id={ (name) "-error" } { (e) } }
        textarea id=(name) name=(name) rows="4"
            aria-invalid=[error.map(|_| "true")]
            aria-describedby=[described_by(name, hint.is_some(), error.is_some())] { (value) }
    }
}

/// A form with one button posting to `action`, returning to `next`.
pub fn button(action: &str, label: &str, csrf_token: &str, next: &str) -> Markup {
    html! {
        form method="post" action=(action) {
            (csrf(csrf_token))
            input type="hidden" name="next" value=(next);
            button.secondary type="submit" { (label) }
        }
    }
}

/// What the composer shows.
pub struct Compose<'a> {
    pub csrf: &'a str,
    pub text: &'a str,
    /// The content warning field's value (empty: none).
    pub spoiler_text: &'a str,
    pub visibility: Visibility,
    pub in_reply_to: Option<social_core::PostId>,
    pub max_chars: usize,
}

pub fn compose(c: &Compose<'_>, errors: &FormErrors) -> Markup {
    let hint = format!(
        "Up to {} characters, the content warning included. @name mentions, #tags and links \
         are linked.",
        c.max_chars
    );
    let warning = Field {
        hint: Some("Optional. Readers see only this line until they open the post."),
        ..Field::new("spoiler_text", "Content warning", c.spoiler_text)
    };
    let label = if c.in_reply_to.is_some() {
        "Your reply"
    } else {
        "What is on your mind?"
    };
    html! {
        form.compose method="post" action="/posts" {
            (summary(errors))
            (csrf(c.csrf))
            @if let Some(id) = c.in_reply_to { input type="hidden" name="in_reply_to_id" value=(id); }
            (input(&warning, errors))
            (textarea("text", label, c.text, Some(&hint), errors))
            label for="visibility" { "Who can see it" }
            @if let Some(e) = errors.get("visibility") { p.field-error id="visibility-error" { (e) } }
            select id="visibility" name="visibility"
                aria-describedby=[errors.get("visibility").map(|_| "visibility-error")] {
                @for v in Visibility::ALL {
                    option value=(v.as_str()) selected[v == c.visibility] { (v.label()) }
                }
            }
            div.actions { button type="submit" { @if c.in_reply_to.is_some() { "Reply" } @else { "Post" } } }
        }
    }
}
