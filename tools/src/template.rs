//! Reads what the local stack needs out of `template.yaml`: each function's routes, the
//! table's keys, indexes and TTL, and the topics. CloudFormation tags (`!Ref`, `!Sub`, ...)
//! are kept as tagged values and never needed for these parts.

use serde_yaml_ng::Value;
use users_shared::http::routing::Method;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template.yaml is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml_ng::Error),
    #[error("template.yaml: {0}")]
    Shape(String),
}

fn shape(message: impl Into<String>) -> TemplateError {
    TemplateError::Shape(message.into())
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TemplateRoute {
    pub method: Method,
    pub path: String,
}

#[derive(Debug, Clone)]
pub struct FunctionDef {
    pub logical_id: String,
    pub binary: String,
    /// Its `HttpApi` events; empty for a function only a schedule invokes.
    pub routes: Vec<TemplateRoute>,
    /// Whether it has a `Schedule` event (EventBridge).
    pub scheduled: bool,
    /// The IAM actions its inline policies allow (`dynamodb:GetItem`, ...).
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDef {
    pub attribute: String,
    /// `HASH` or `RANGE`.
    pub key_type: String,
}

#[derive(Debug, Clone)]
pub struct IndexDef {
    pub name: String,
    pub keys: Vec<KeyDef>,
    pub projection: String,
    /// The attributes an `INCLUDE` projection copies.
    pub non_key_attributes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct TableDef {
    pub logical_id: String,
    /// (attribute name, `S` | `N` | `B`)
    pub attributes: Vec<(String, String)>,
    pub keys: Vec<KeyDef>,
    pub indexes: Vec<IndexDef>,
    pub ttl_attribute: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Template {
    pub functions: Vec<FunctionDef>,
    pub table: TableDef,
    pub topics: Vec<String>,
}

fn text<'a>(value: &'a Value, what: &str) -> Result<&'a str, TemplateError> {
    value
        .as_str()
        .ok_or_else(|| shape(format!("{what} must be a literal string")))
}

fn keys_of(value: &Value, what: &str) -> Result<Vec<KeyDef>, TemplateError> {
    value
        .as_sequence()
        .ok_or_else(|| shape(format!("{what} must be a list")))?
        .iter()
        .map(|k| {
            Ok(KeyDef {
                attribute: text(&k["AttributeName"], "AttributeName")?.to_owned(),
                key_type: text(&k["KeyType"], "KeyType")?.to_owned(),
            })
        })
        .collect()
}

impl Template {
    pub fn parse(yaml: &str) -> Result<Self, TemplateError> {
        let doc: Value = serde_yaml_ng::from_str(yaml)?;
        let resources = doc["Resources"]
            .as_mapping()
            .ok_or_else(|| shape("no Resources"))?;
        let mut functions = Vec::new();
        let mut tables = Vec::new();
        let mut topics = Vec::new();
        for (id, resource) in resources {
            let id = text(id, "a resource id")?.to_owned();
            match resource["Type"].as_str() {
                Some("AWS::Serverless::Function") => functions.push(Self::function(id, resource)?),
                Some("AWS::DynamoDB::Table") => {
                    tables.push(Self::table(id, &resource["Properties"])?)
                }
                Some("AWS::SNS::Topic") => topics.push(id),
                _ => {}
            }
        }
        let table = match <[TableDef; 1]>::try_from(tables) {
            Ok([table]) => table,
            Err(_) => return Err(shape("exactly one AWS::DynamoDB::Table is expected")),
        };
        Ok(Self {
            functions,
            table,
            topics,
        })
    }

    fn function(logical_id: String, resource: &Value) -> Result<FunctionDef, TemplateError> {
        let binary = text(
            &resource["Metadata"]["BuildProperties"]["Binary"],
            "Metadata.BuildProperties.Binary",
        )?;
        let mut routes = Vec::new();
        let mut scheduled = false;
        if let Some(events) = resource["Properties"]["Events"].as_mapping() {
            for event in events.values() {
                scheduled |= event["Type"].as_str() == Some("Schedule");
                if event["Type"].as_str() != Some("HttpApi") {
                    continue;
                }
                let props = &event["Properties"];
                let method = text(&props["Method"], "an event Method")?;
                let method = Method::parse(method)
                    .ok_or_else(|| shape(format!("unknown method {method}")))?;
                let path = text(&props["Path"], "an event Path")?.to_owned();
                routes.push(TemplateRoute { method, path });
            }
        }
        routes.sort();
        let mut actions = Vec::new();
        for policy in resource["Properties"]["Policies"]
            .as_sequence()
            .into_iter()
            .flatten()
        {
            for statement in policy["Statement"].as_sequence().into_iter().flatten() {
                match &statement["Action"] {
                    Value::String(action) => actions.push(action.clone()),
                    Value::Sequence(list) => {
                        for action in list {
                            actions.push(text(action, "a policy Action")?.to_owned());
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(FunctionDef {
            logical_id,
            binary: binary.to_owned(),
            routes,
            scheduled,
            actions,
        })
    }

    fn table(logical_id: String, props: &Value) -> Result<TableDef, TemplateError> {
        let attributes = props["AttributeDefinitions"]
            .as_sequence()
            .ok_or_else(|| shape("AttributeDefinitions must be a list"))?
            .iter()
            .map(|a| {
                Ok((
                    text(&a["AttributeName"], "AttributeName")?.to_owned(),
                    text(&a["AttributeType"], "AttributeType")?.to_owned(),
                ))
            })
            .collect::<Result<_, TemplateError>>()?;
        let keys = keys_of(&props["KeySchema"], "KeySchema")?;
        let indexes = match props["GlobalSecondaryIndexes"].as_sequence() {
            None => Vec::new(),
            Some(list) => list
                .iter()
                .map(|i| {
                    Ok(IndexDef {
                        name: text(&i["IndexName"], "IndexName")?.to_owned(),
                        keys: keys_of(&i["KeySchema"], "an index KeySchema")?,
                        projection: text(&i["Projection"]["ProjectionType"], "ProjectionType")?
                            .to_owned(),
                        non_key_attributes: match i["Projection"]["NonKeyAttributes"].as_sequence()
                        {
                            None => Vec::new(),
                            Some(names) => names
                                .iter()
                                .map(|n| text(n, "NonKeyAttributes").map(str::to_owned))
                                .collect::<Result<_, _>>()?,
                        },
                    })
                })
                .collect::<Result<_, TemplateError>>()?,
        };
        let ttl = &props["TimeToLiveSpecification"];
        let ttl_attribute = match ttl["Enabled"].as_bool() {
            Some(true) => Some(text(&ttl["AttributeName"], "TTL AttributeName")?.to_owned()),
            _ => None,
        };
        Ok(TableDef {
            logical_id,
            attributes,
            keys,
            indexes,
            ttl_attribute,
        })
    }

    /// Every route of every function, with the function that serves it.
    pub fn routes(&self) -> impl Iterator<Item = (&FunctionDef, &TemplateRoute)> {
        self.functions
            .iter()
            .flat_map(|f| f.routes.iter().map(move |r| (f, r)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_template_parses() {
        let template = Template::parse(crate::TEMPLATE_YAML).unwrap();
        assert!(!template.functions.is_empty());
        assert_eq!(
            template.table.keys[0],
            KeyDef {
                attribute: "PK".into(),
                key_type: "HASH".into()
            }
        );
        assert_eq!(template.table.ttl_attribute.as_deref(), Some("expires_at"));
        assert_eq!(template.topics, vec!["NotificationsTopic".to_owned()]);
    }

    #[test]
    fn no_template_route_ends_with_a_slash() {
        let template = Template::parse(crate::TEMPLATE_YAML).unwrap();
        for (function, route) in template.routes() {
            assert!(
                !route.path.ends_with('/'),
                "{} {}",
                function.logical_id,
                route.path
            );
        }
    }

    #[test]
    fn only_the_stats_job_may_scan_the_table() {
        let template = Template::parse(crate::TEMPLATE_YAML).unwrap();
        let scanners: Vec<&str> = template
            .functions
            .iter()
            .filter(|f| f.actions.iter().any(|a| a == "dynamodb:Scan"))
            .map(|f| f.logical_id.as_str())
            .collect();
        assert_eq!(scanners, ["StatsJobFunction"]);
        let job = template
            .functions
            .iter()
            .find(|f| f.logical_id == "StatsJobFunction")
            .unwrap();
        assert!(job.scheduled && job.routes.is_empty());
        let mut actions = job.actions.clone();
        actions.sort();
        assert_eq!(actions, ["dynamodb:PutItem", "dynamodb:Scan"]);
    }

    #[test]
    fn the_table_keys_are_the_ones_the_store_writes() {
        use users_shared::store::keys;
        let table = Template::parse(crate::TEMPLATE_YAML).unwrap().table;
        let key_names: Vec<&str> = table.keys.iter().map(|k| k.attribute.as_str()).collect();
        assert_eq!(key_names, [keys::PK, keys::SK]);
        let gsi1 = table
            .indexes
            .iter()
            .find(|i| i.name == keys::GSI1)
            .expect("GSI1 declared");
        let gsi1_names: Vec<&str> = gsi1.keys.iter().map(|k| k.attribute.as_str()).collect();
        assert_eq!(gsi1_names, [keys::GSI1PK, keys::GSI1SK]);
        assert_eq!(table.ttl_attribute.as_deref(), Some(keys::EXPIRES_AT));
    }
}
