//! The one home of what is written *from* results for people to read: the sentence
//! that explains a search match, the investigator's custody account, the printable
//! trace request, charts (SVG) and the findings report (HTML).
//!
//! Everything here takes values and returns text; nothing reads the register. Front
//! ends print or serve what these functions write, and a wording is changed in one
//! place for the command line and the web alike.

pub mod explain;

pub mod trace_print {
    //! The printable trace request.
    pub use armtrace_core::trace::render_html;
}

pub mod custody_account {
    //! The investigator's account of a chain of custody.
    pub use armtrace_core::custody::render_text;
}
