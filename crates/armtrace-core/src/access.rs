//! Who may see what: roles, clearances and the fields that are never public.
//!
//! Confidentiality is decided here, once, as values: a [`Clearance`] says which items a
//! viewer may see, and [`Clearance::allows`] is the single predicate that every adapter
//! (SQL filters, the in-memory search index, statistics, the map) applies. Anonymous
//! visitors get [`Clearance::public`]: only `public` items, and never the fields in
//! [`NEVER_PUBLIC_ITEM_FIELDS`].

use serde::{Deserialize, Serialize};

use crate::item::{Confidentiality, Item, string_enum};

string_enum! {
    /// What a signed-in user may do.
    Role {
        /// Everything, including users, tokens and confidential items.
        Admin = "admin",
        /// Documents items, imports files, creates and updates trace requests.
        Investigator = "investigator",
        /// Reads restricted data and runs analytics.
        Analyst = "analyst",
        /// Reads restricted data; writes nothing.
        Viewer = "viewer",
    }
}

impl Role {
    /// May import files, upload evidence and change trace requests.
    pub fn can_write(self) -> bool {
        matches!(self, Role::Admin | Role::Investigator)
    }

    /// May manage users and tokens.
    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }
}

/// Item fields that are never shown to anonymous visitors, even on public items.
pub const NEVER_PUBLIC_ITEM_FIELDS: [&str; 2] = ["notes", "documented_by"];

/// The items a viewer may see.
///
/// `restricted` items need any signed-in role; `confidential` items need `admin` or an
/// explicit grant (to all confidential items, or to single items by id).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Clearance {
    /// Signed in: may see `restricted` items and non-public fields.
    pub signed_in: bool,
    /// May see every `confidential` item.
    pub confidential: bool,
    /// Confidential items granted one by one (row ids, sorted, without duplicates).
    pub granted_items: Vec<i64>,
}

impl Clearance {
    /// An anonymous visitor: public items only.
    pub fn public() -> Clearance {
        Clearance::default()
    }

    /// Everything (the command line, which works on the register file directly).
    pub fn full() -> Clearance {
        Clearance {
            signed_in: true,
            confidential: true,
            granted_items: Vec::new(),
        }
    }

    /// A signed-in user's clearance from their role and grants.
    pub fn for_role(
        role: Role,
        confidential_grant: bool,
        mut granted_items: Vec<i64>,
    ) -> Clearance {
        granted_items.sort_unstable();
        granted_items.dedup();
        Clearance {
            signed_in: true,
            confidential: role.is_admin() || confidential_grant,
            granted_items,
        }
    }

    /// Whether this viewer is anonymous.
    pub fn is_public(&self) -> bool {
        !self.signed_in
    }

    /// Whether the item with this level and row id is visible.
    pub fn allows(&self, level: Confidentiality, item_id: i64) -> bool {
        match level {
            Confidentiality::Public => true,
            Confidentiality::Restricted => self.signed_in,
            Confidentiality::Confidential => {
                self.confidential || self.granted_items.binary_search(&item_id).is_ok()
            }
        }
    }

    /// The levels visible as a whole (grants of single items come on top).
    pub fn levels(&self) -> Vec<Confidentiality> {
        let mut levels = vec![Confidentiality::Public];
        if self.signed_in {
            levels.push(Confidentiality::Restricted);
        }
        if self.confidential {
            levels.push(Confidentiality::Confidential);
        }
        levels
    }

    /// Whether every item is visible, so no filter is needed.
    pub fn sees_everything(&self) -> bool {
        self.signed_in && self.confidential
    }

    /// Removes what this viewer may not see from a visible item: for anonymous
    /// visitors the [`NEVER_PUBLIC_ITEM_FIELDS`].
    pub fn redact(&self, item: &mut Item) {
        if self.is_public() {
            item.notes = None;
            item.documented_by = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Confidentiality::*;

    #[test]
    fn anonymous_sees_only_public_items() {
        let c = Clearance::public();
        assert!(c.allows(Public, 1));
        assert!(!c.allows(Restricted, 1));
        assert!(!c.allows(Confidential, 1));
        assert_eq!(c.levels(), vec![Public]);
    }

    #[test]
    fn roles_see_restricted_and_only_admins_or_grants_see_confidential() {
        for role in Role::ALL {
            let c = Clearance::for_role(*role, false, vec![]);
            assert!(c.allows(Restricted, 1));
            assert_eq!(c.allows(Confidential, 1), role.is_admin());
        }
        let granted = Clearance::for_role(Role::Viewer, false, vec![9, 3, 9]);
        assert_eq!(granted.granted_items, vec![3, 9]);
        assert!(granted.allows(Confidential, 9));
        assert!(!granted.allows(Confidential, 4));
        assert!(Clearance::for_role(Role::Analyst, true, vec![]).allows(Confidential, 4));
    }

    #[test]
    fn only_admin_and_investigator_write() {
        let writers: Vec<_> = Role::ALL.iter().filter(|r| r.can_write()).collect();
        assert_eq!(writers, [&Role::Admin, &Role::Investigator]);
    }
}
