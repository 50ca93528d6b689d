//! The campaign app's settings, on the one data model: language, preference categories and
//! networks (checked against the reference codes the project ships and `userctl` extends),
//! privacy, and the seven notification codes. Each notification code is the push theme of the
//! same name (made on first use, unicast): turning a code off is the user's preference for
//! that theme at option 0, so a change through either contract is what the other shows.

use super::subscriptions::{DEFAULT_OPTION, MAX_OPTION};
use super::{FieldErrors, ServiceError};
use crate::clock::Timestamp;
use crate::domain::{
    CodeKind, PrivacySettings, ThemeRange, TopicKind, TopicName, User, UserId, DEFAULT_LANGUAGE,
    NOTIFICATION_CODES,
};
use crate::store::{MemberWriteError, SettingsChange, Store};

/// A privacy change: each setting given, or left as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PrivacyChange {
    pub profile_public: Option<bool>,
    pub show_earnings: Option<bool>,
    pub show_campaigns: Option<bool>,
}

impl PrivacyChange {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    fn applied_to(self, current: PrivacySettings) -> PrivacySettings {
        PrivacySettings {
            profile_public: self.profile_public.unwrap_or(current.profile_public),
            show_earnings: self.show_earnings.unwrap_or(current.show_earnings),
            show_campaigns: self.show_campaigns.unwrap_or(current.show_campaigns),
        }
    }
}

/// What `POST /api/update/preferences/` changes; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreferencesUpdate {
    pub language: Option<String>,
    pub categories: Option<Vec<String>>,
    pub networks: Option<Vec<String>>,
    pub privacy: PrivacyChange,
}

/// One notification code and whether the user gets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotificationSetting {
    pub code: &'static str,
    pub name: &'static str,
    pub on: bool,
}

/// Everything `POST /api/get/preferences/` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignSettings {
    pub user_id: UserId,
    pub language: String,
    pub notifications: Vec<NotificationSetting>,
    pub categories: Vec<String>,
    pub networks: Vec<String>,
    pub privacy: PrivacySettings,
}

/// The user's settings, their notification codes included.
pub async fn settings(store: &Store, user: &User) -> Result<CampaignSettings, ServiceError> {
    Ok(CampaignSettings {
        user_id: user.id,
        language: user
            .language
            .clone()
            .unwrap_or_else(|| DEFAULT_LANGUAGE.to_owned()),
        notifications: notifications(store, user.id).await?,
        categories: user.categories.clone(),
        networks: user.networks.clone(),
        privacy: user.privacy,
    })
}

/// Changes the settings the update names; every code is checked first, nothing is written
/// unless all are known.
pub async fn update_preferences(
    store: &Store,
    user: &User,
    update: PreferencesUpdate,
) -> Result<(), ServiceError> {
    let mut errors = FieldErrors::default();
    let (categories, networks, language) = tokio::try_join!(
        checked(store, CodeKind::Category, update.categories),
        checked(store, CodeKind::Network, update.networks),
        checked(store, CodeKind::Language, update.language.map(|l| vec![l])),
    )?;
    let change = SettingsChange {
        categories: errors.take(categories),
        networks: errors.take(networks),
        language: errors.take(language).and_then(|mut l| l.pop()),
        privacy: (!update.privacy.is_empty()).then(|| update.privacy.applied_to(user.privacy)),
    };
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    write(store, user.id, &change).await
}

/// Sets the user's language (a known language code).
pub async fn update_language(
    store: &Store,
    user: &User,
    language: String,
) -> Result<(), ServiceError> {
    update_preferences(
        store,
        user,
        PreferencesUpdate {
            language: Some(language),
            ..PreferencesUpdate::default()
        },
    )
    .await
}

async fn write(store: &Store, user: UserId, change: &SettingsChange) -> Result<(), ServiceError> {
    if change.is_empty() {
        return Ok(());
    }
    super::found(
        store
            .update_settings(user, change, Timestamp::now())
            .await?,
    )
}

/// `codes` as given, each a known code of `kind`; the unknown ones reported under the
/// kind's field.
async fn checked(
    store: &Store,
    kind: CodeKind,
    codes: Option<Vec<String>>,
) -> Result<Result<Option<Vec<String>>, FieldErrors>, ServiceError> {
    let Some(codes) = codes else {
        return Ok(Ok(None));
    };
    let known = store.known_codes(kind, &codes).await?;
    let mut errors = FieldErrors::default();
    for code in codes.iter().filter(|code| !known.contains(*code)) {
        errors.add(kind.field(), format!("\"{code}\" is not a valid choice."));
    }
    Ok(if errors.is_empty() {
        Ok(Some(codes))
    } else {
        Err(errors)
    })
}

/// Whether the user gets each notification code: off only when the code's theme preference
/// is at option 0 (no preference: everything, as the push contract's default).
pub async fn notifications(
    store: &Store,
    user: UserId,
) -> Result<Vec<NotificationSetting>, ServiceError> {
    let themes = campaign_themes(store).await?;
    let ids: Vec<u64> = themes.iter().map(|(_, id)| *id).collect();
    let preferences = store.preferences_for(user, &ids).await?;
    Ok(NOTIFICATION_CODES
        .iter()
        .zip(&themes)
        .map(|((code, name), (_, theme))| {
            let option = preferences
                .iter()
                .find(|p| p.topic == *theme)
                .and_then(|p| p.option)
                .unwrap_or(DEFAULT_OPTION);
            NotificationSetting {
                code,
                name,
                on: option != 0,
            }
        })
        .collect())
}

/// Turns notification codes on or off: off is option 0 for the code's theme; on keeps a
/// non-zero option already chosen (through the push contract) and is everything otherwise.
/// All the changes are written in one transaction.
pub async fn update_notifications(
    store: &Store,
    user: UserId,
    changes: &[(&'static str, bool)],
) -> Result<(), ServiceError> {
    let themes = campaign_themes(store).await?;
    let ids: Vec<u64> = themes.iter().map(|(_, id)| *id).collect();
    let current = store.preferences_for(user, &ids).await?;
    let mut options = Vec::new();
    for (code, on) in changes {
        let Some((_, theme)) = themes.iter().find(|(c, _)| c == code) else {
            continue;
        };
        let now = current
            .iter()
            .find(|p| p.topic == *theme)
            .and_then(|p| p.option);
        let option = match (on, now) {
            (false, _) => 0,
            (true, Some(kept)) if kept != 0 => kept,
            (true, _) => MAX_OPTION,
        };
        if now != Some(option) {
            options.push((*theme, option));
        }
    }
    if options.is_empty() {
        return Ok(());
    }
    match store.set_preferences(user, &options).await {
        Ok(()) => Ok(()),
        Err(MemberWriteError::NoUser) => Err(ServiceError::NotFound),
        Err(MemberWriteError::NoTopic) => Err(ServiceError::Unexpected(
            "a notification theme was deleted while it was being set".into(),
        )),
        Err(other) => Err(ServiceError::Unexpected(Box::new(other))),
    }
}

/// The theme id of each notification code, in the codes' order; themes not there yet are
/// made (a race with another maker is resolved by reading the winner's).
pub async fn campaign_themes(store: &Store) -> Result<Vec<(&'static str, u64)>, ServiceError> {
    let codes: Vec<&str> = NOTIFICATION_CODES.iter().map(|(code, _)| *code).collect();
    let mut ids = store.topic_ids_by_names(TopicKind::Theme, &codes).await?;
    for code in &codes {
        if ids.contains_key(*code) {
            continue;
        }
        let name = TopicName::parse(code).map_err(|e| ServiceError::Unexpected(e.0.into()))?;
        match super::topics::create(store, TopicKind::Theme, name, Some(ThemeRange::Unicast)).await
        {
            Ok(theme) => {
                ids.insert((*code).to_owned(), theme.id);
            }
            Err(ServiceError::Taken(_)) => {
                let theme = store
                    .topic_by_name(TopicKind::Theme, code)
                    .await?
                    .ok_or(ServiceError::Missing("Theme"))?;
                ids.insert((*code).to_owned(), theme.id);
            }
            Err(other) => return Err(other),
        }
    }
    Ok(NOTIFICATION_CODES
        .iter()
        .map(|(code, _)| (*code, ids[*code]))
        .collect())
}
