//! Page templates (minijinja, autoescaped), compiled into the binary from
//! `crates/armtrace-web/templates/`.
//!
//! Every page gets the same base context from [`PageContext`]: the viewer, the CSRF
//! token for forms, the current path and query, and whether the data is synthetic.

use minijinja::{AutoEscape, Environment, Value};
use rust_embed::RustEmbed;
use serde::Serialize;

#[derive(RustEmbed)]
#[folder = "templates/"]
struct TemplateFiles;

/// The loaded templates.
pub struct Templates {
    env: Environment<'static>,
}

/// The context every page shares.
#[derive(Debug, Serialize)]
pub struct PageContext {
    pub viewer: Option<ViewerContext>,
    pub csrf: String,
    pub path: String,
    pub query: std::collections::BTreeMap<String, String>,
    pub synthetic: bool,
    pub app_version: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ViewerContext {
    pub name: String,
    pub role: String,
    pub can_write: bool,
    pub is_admin: bool,
}

impl Templates {
    pub fn load() -> anyhow::Result<Templates> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        for name in TemplateFiles::iter() {
            let file = TemplateFiles::get(&name).expect("listed template exists");
            let source = String::from_utf8(file.data.into_owned())
                .map_err(|_| anyhow::anyhow!("template {name} is not UTF-8"))?;
            env.add_template_owned(name.to_string(), source)
                .map_err(|e| anyhow::anyhow!("template {name}: {e}"))?;
        }
        env.add_filter("thousands", thousands);
        // Refs may hold `/`, `?` or `#`; minijinja's own `urlencode` keeps `/`, which
        // would split `/items/{ref}` links. Ours encodes everything but unreserved bytes.
        env.add_filter("urlencode", urlencode);
        Ok(Templates { env })
    }

    /// Renders a page with the shared context merged into `extra`.
    pub fn render(
        &self,
        name: &str,
        base: &PageContext,
        extra: Value,
    ) -> Result<String, minijinja::Error> {
        let template = self.env.get_template(name)?;
        template.render(minijinja::context! { ..Value::from_serialize(base), ..extra })
    }
}

/// Percent-encodes a path segment or query value (RFC 3986 unreserved bytes kept).
fn urlencode(v: Value) -> String {
    let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `12345` → `12,345`.
fn thousands(v: Value) -> String {
    let Some(n) = v.as_i64() else {
        return v.to_string();
    };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}
