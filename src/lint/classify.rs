//! Turns a statement's text into a [`Kind`]: first through the `sqlparser`
//! crate with the dialect's parser, then, when it cannot parse the
//! statement, by its leading words. What neither recognises is
//! [`Kind::NotAnalysed`], never passed silently.

use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnDef, ColumnOption, Expr, GeneratedAs,
    GeneratedExpressionMode, ObjectName, ObjectType, Set, Statement, TableConstraint,
    UnaryOperator,
};
use sqlparser::dialect::Dialect as ParserDialect;
use sqlparser::parser::Parser;

use super::statement::{
    Action, ConstraintKind, DefaultValue, Generated, Kind, NewColumn, NewConstraint,
};

/// Classifies `sql` with `parser`, falling back to its leading words.
pub(crate) fn classify(parser: &dyn ParserDialect, sql: &str) -> Kind {
    match Parser::parse_sql(parser, sql) {
        Ok(statements) if statements.len() == 1 => from_ast(&statements[0], sql),
        _ => from_words(sql),
    }
}

/// A name as the server folds it: the last part of a qualified name,
/// unquoted, lower-cased unless it was quoted.
fn fold_name(name: &str) -> String {
    let last = split_qualified(name).pop().unwrap_or_default();
    let quoted = last.len() >= 2
        && matches!(
            (last.as_bytes()[0], last.as_bytes()[last.len() - 1]),
            (b'"', b'"') | (b'`', b'`') | (b'[', b']')
        );
    if quoted {
        last[1..last.len() - 1].to_owned()
    } else {
        last.to_ascii_lowercase()
    }
}

/// The dot-separated parts of a name, dots inside quotes kept.
fn split_qualified(name: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quote: Option<char> = None;
    for (at, c) in name.char_indices() {
        match (quote, c) {
            (None, '"' | '`') => quote = Some(c),
            (None, '[') => quote = Some(']'),
            (Some(open), c) if c == open => quote = None,
            (None, '.') => {
                parts.push(name[start..at].trim());
                start = at + 1;
            }
            _ => {}
        }
    }
    parts.push(name[start..].trim());
    parts
}

fn object(name: &ObjectName) -> String {
    fold_name(&name.to_string())
}

fn from_ast(statement: &Statement, sql: &str) -> Kind {
    match statement {
        Statement::CreateTable(create) => Kind::CreateTable {
            table: object(&create.name),
        },
        Statement::CreateIndex(index) => Kind::CreateIndex {
            table: object(&index.table_name),
            concurrently: index.concurrently,
        },
        Statement::AlterTable(alter) => {
            let table = object(&alter.name);
            let actions: Option<Vec<Action>> = alter.operations.iter().map(action).collect();
            match actions {
                Some(actions) => Kind::AlterTable { table, actions },
                // An action the parser read but lint has no model for: the
                // words may still know it (`ADD ... USING INDEX`).
                None => from_words(sql),
            }
        }
        Statement::Drop {
            object_type, names, ..
        } => match object_type {
            ObjectType::Table => Kind::DropTable {
                tables: names.iter().map(object).collect(),
            },
            ObjectType::Index if upper_words(sql).iter().any(|w| w == "CONCURRENTLY") => {
                Kind::Concurrently { table: None }
            }
            _ => Kind::Ddl,
        },
        Statement::Truncate(truncate) => Kind::Truncate {
            tables: truncate
                .table_names
                .iter()
                .map(|target| object(&target.name))
                .collect(),
        },
        Statement::Delete(delete) => Kind::Delete {
            table: delete_table(delete),
            filtered: delete.selection.is_some() || delete.limit.is_some(),
        },
        Statement::RenameTable(renames) => Kind::RenameTable {
            tables: renames.iter().map(|r| object(&r.old_name)).collect(),
        },
        Statement::Set(set) => set_kind(set),
        Statement::Pragma { name, .. } => Kind::Pragma { name: object(name) },
        Statement::Insert(_)
        | Statement::Update(_)
        | Statement::Query(_)
        | Statement::Merge(_)
        | Statement::Copy { .. }
        | Statement::Call(_) => Kind::Dml,
        Statement::StartTransaction { .. }
        | Statement::Commit { .. }
        | Statement::Rollback { .. }
        | Statement::Savepoint { .. }
        | Statement::ReleaseSavepoint { .. } => Kind::Session,
        Statement::Lock(_) | Statement::LockTables { .. } => Kind::Ddl,
        _ => from_words(sql),
    }
}

fn delete_table(delete: &sqlparser::ast::Delete) -> String {
    use sqlparser::ast::FromTable;
    let tables = match &delete.from {
        FromTable::WithFromKeyword(tables) | FromTable::WithoutKeyword(tables) => tables,
    };
    tables
        .first()
        .map(|table| fold_name(&table.relation.to_string()))
        .unwrap_or_default()
}

fn set_kind(set: &Set) -> Kind {
    if let Set::SingleAssignment {
        variable, values, ..
    } = set
        && object(variable) == "lock_timeout"
    {
        let value = values
            .first()
            .map(|value| value.to_string().trim_matches(['\'', '"']).to_owned())
            .unwrap_or_default();
        let value = value.trim().to_ascii_lowercase();
        return Kind::SetLockTimeout {
            enabled: !matches!(value.as_str(), "" | "0" | "0ms" | "0s" | "default"),
        };
    }
    Kind::Session
}

/// One `ALTER TABLE` action, `None` when lint has no model for it.
fn action(operation: &AlterTableOperation) -> Option<Action> {
    Some(match operation {
        AlterTableOperation::AddColumn { column_def, .. } => {
            Action::AddColumn(new_column(column_def))
        }
        AlterTableOperation::AddConstraint {
            constraint,
            not_valid,
        } => Action::AddConstraint(new_constraint(constraint, *not_valid)?),
        AlterTableOperation::AlterColumn { column_name, op } => {
            let column = fold_name(&column_name.to_string());
            match op {
                AlterColumnOperation::SetNotNull => Action::SetNotNull { column },
                AlterColumnOperation::SetDataType { data_type, .. } => Action::ColumnType {
                    column,
                    new_type: data_type.to_string(),
                },
                AlterColumnOperation::DropNotNull
                | AlterColumnOperation::SetDefault { .. }
                | AlterColumnOperation::DropDefault => Action::ColumnCatalog,
                _ => Action::Other {
                    what: format!("ALTER COLUMN {op}"),
                },
            }
        }
        AlterTableOperation::ModifyColumn {
            col_name,
            data_type,
            ..
        } => Action::ColumnType {
            column: fold_name(&col_name.to_string()),
            new_type: data_type.to_string(),
        },
        AlterTableOperation::ChangeColumn {
            old_name,
            new_name,
            data_type,
            ..
        } => {
            let column = fold_name(&old_name.to_string());
            if column != fold_name(&new_name.to_string()) {
                Action::RenameColumn { column }
            } else {
                Action::ColumnType {
                    column,
                    new_type: data_type.to_string(),
                }
            }
        }
        AlterTableOperation::ValidateConstraint { name } => Action::ValidateConstraint {
            name: fold_name(&name.to_string()),
        },
        AlterTableOperation::DropColumn { column_names, .. } => Action::DropColumn {
            columns: column_names
                .iter()
                .map(|name| fold_name(&name.to_string()))
                .collect(),
        },
        AlterTableOperation::RenameColumn {
            old_column_name, ..
        } => Action::RenameColumn {
            column: fold_name(&old_column_name.to_string()),
        },
        AlterTableOperation::RenameTable { .. } => Action::RenameTable,
        other => Action::Other {
            what: other
                .to_string()
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" "),
        },
    })
}

fn new_column(definition: &ColumnDef) -> NewColumn {
    let data_type = definition.data_type.to_string().to_ascii_uppercase();
    let mut column = NewColumn {
        name: fold_name(&definition.name.to_string()),
        identity: data_type.contains("SERIAL"),
        data_type,
        ..NewColumn::default()
    };
    for option in &definition.options {
        match &option.option {
            ColumnOption::NotNull => column.not_null = true,
            ColumnOption::Default(expr) => column.default = Some(default_value(expr)),
            ColumnOption::PrimaryKey(_) | ColumnOption::Unique(_) => column.unique = true,
            ColumnOption::ForeignKey(_) => column.references = true,
            ColumnOption::Generated {
                generated_as,
                generation_expr,
                generation_expr_mode,
                ..
            } => {
                if generation_expr.is_none() {
                    column.identity = true;
                } else {
                    let stored = matches!(generated_as, GeneratedAs::ExpStored)
                        || matches!(generation_expr_mode, Some(GeneratedExpressionMode::Stored));
                    column.generated = Some(if stored {
                        Generated::Stored
                    } else {
                        Generated::Virtual
                    });
                }
            }
            ColumnOption::DialectSpecific(tokens) => {
                let text = tokens
                    .iter()
                    .map(ToString::to_string)
                    .collect::<String>()
                    .to_ascii_uppercase();
                if text.contains("AUTO_INCREMENT") || text.contains("AUTOINCREMENT") {
                    column.identity = true;
                }
            }
            _ => {}
        }
    }
    column
}

fn new_constraint(constraint: &TableConstraint, not_valid: bool) -> Option<NewConstraint> {
    let name = |ident: &Option<sqlparser::ast::Ident>| {
        ident.as_ref().map(|ident| fold_name(&ident.to_string()))
    };
    let (constraint_name, kind) = match constraint {
        TableConstraint::ForeignKey(fk) => (
            name(&fk.name),
            ConstraintKind::ForeignKey {
                references: object(&fk.foreign_table),
            },
        ),
        TableConstraint::Check(check) => (
            name(&check.name),
            ConstraintKind::Check {
                not_null_of: not_null_column(&check.expr),
            },
        ),
        TableConstraint::Unique(unique) => (name(&unique.name), ConstraintKind::Unique),
        TableConstraint::PrimaryKey(key) => (name(&key.name), ConstraintKind::PrimaryKey),
        _ => return None,
    };
    Some(NewConstraint {
        name: constraint_name,
        kind,
        not_valid,
        using_index: false,
    })
}

/// The column of `column IS NOT NULL`.
fn not_null_column(expr: &Expr) -> Option<String> {
    match expr {
        Expr::IsNotNull(inner) => match inner.as_ref() {
            Expr::Identifier(ident) => Some(fold_name(&ident.to_string())),
            Expr::CompoundIdentifier(parts) => parts.last().map(|p| fold_name(&p.to_string())),
            _ => None,
        },
        Expr::Nested(inner) => not_null_column(inner),
        _ => None,
    }
}

fn default_value(expr: &Expr) -> DefaultValue {
    DefaultValue {
        constant: is_constant(expr),
        functions: called_functions(&expr.to_string()),
    }
}

fn is_constant(expr: &Expr) -> bool {
    match expr {
        Expr::Value(_) | Expr::TypedString { .. } => true,
        Expr::UnaryOp {
            op: UnaryOperator::Minus | UnaryOperator::Plus,
            expr,
        }
        | Expr::Nested(expr)
        | Expr::Cast { expr, .. } => is_constant(expr),
        _ => false,
    }
}

/// The lower-cased names of the functions an expression's text calls, and
/// the SQL keywords that act as functions (`CURRENT_TIMESTAMP`...).
fn called_functions(text: &str) -> Vec<String> {
    const KEYWORDS: [&str; 6] = [
        "current_timestamp",
        "current_date",
        "current_time",
        "localtimestamp",
        "localtime",
        "current_user",
    ];
    let mut names = Vec::new();
    let bytes = text.as_bytes();
    let mut at = 0;
    let mut in_string = false;
    while at < bytes.len() {
        let c = bytes[at];
        if c == b'\'' {
            in_string = !in_string;
            at += 1;
        } else if !in_string && (c.is_ascii_alphabetic() || c == b'_') {
            let start = at;
            while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
                at += 1;
            }
            let word = text[start..at].to_ascii_lowercase();
            let called = text[at..].trim_start().starts_with('(');
            if called || KEYWORDS.contains(&word.as_str()) {
                names.push(word);
            }
        } else {
            at += 1;
        }
    }
    names
}

/// The statement's words, upper-cased, comments, strings and punctuation left
/// out (quoted identifiers kept with their quotes).
fn upper_words(sql: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = sql.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        match c {
            '-' if sql[start..].starts_with("--") => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '/' if sql[start..].starts_with("/*") => {
                let end = sql[start + 2..]
                    .find("*/")
                    .map_or(sql.len(), |e| start + 4 + e);
                while chars.peek().is_some_and(|&(at, _)| at < end) {
                    chars.next();
                }
            }
            '\'' => {
                for (_, c) in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                }
            }
            '"' | '`' | '[' => {
                let close = if c == '[' { ']' } else { c };
                let mut end = sql.len();
                for (at, c) in chars.by_ref() {
                    if c == close {
                        end = at + c.len_utf8();
                        break;
                    }
                }
                words.push(sql[start..end].to_owned());
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut end = start + c.len_utf8();
                while let Some(&(at, c)) = chars.peek() {
                    if c.is_alphanumeric() || c == '_' || c == '$' || c == '.' {
                        end = at + c.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                words.push(sql[start..end].to_ascii_uppercase());
            }
            '(' | ')' | ',' => words.push(c.to_string()),
            _ => {}
        }
    }
    words
}

/// The fallback: what the leading words say.
fn from_words(sql: &str) -> Kind {
    let words = upper_words(sql);
    let word = |index: usize| words.get(index).map_or("", String::as_str);
    let has = |wanted: &str| words.iter().any(|w| w == wanted);
    // The word after `after`, skipping `skip` words.
    let name_after = |after: &str, skip: &[&str]| {
        words
            .iter()
            .skip_while(|w| *w != after)
            .skip(1)
            .find(|w| !skip.contains(&w.as_str()))
            .map(|w| fold_name(w))
    };
    match (word(0), word(1)) {
        ("CREATE", _)
            if has("INDEX")
                && words
                    .iter()
                    .take_while(|w| *w != "ON")
                    .any(|w| w == "INDEX") =>
        {
            match name_after("ON", &["ONLY"]) {
                Some(table) => Kind::CreateIndex {
                    table,
                    concurrently: has("CONCURRENTLY"),
                },
                None => Kind::NotAnalysed,
            }
        }
        ("ALTER", "TABLE") => {
            let Some(table) = name_after("TABLE", &["ONLY", "IF", "EXISTS"]) else {
                return Kind::NotAnalysed;
            };
            // `ADD [CONSTRAINT c] UNIQUE|PRIMARY KEY USING INDEX i`, which
            // the parser does not read.
            if has("USING") && has("INDEX") && (has("UNIQUE") || has("PRIMARY")) && has("ADD") {
                let name = name_after("CONSTRAINT", &[]);
                let kind = if has("PRIMARY") {
                    ConstraintKind::PrimaryKey
                } else {
                    ConstraintKind::Unique
                };
                return Kind::AlterTable {
                    table,
                    actions: vec![Action::AddConstraint(NewConstraint {
                        name,
                        kind,
                        not_valid: false,
                        using_index: true,
                    })],
                };
            }
            Kind::NotAnalysed
        }
        ("REINDEX" | "REFRESH", _) if has("CONCURRENTLY") => Kind::Concurrently { table: None },
        ("DROP", "INDEX") if has("CONCURRENTLY") => Kind::Concurrently { table: None },
        ("CREATE" | "ALTER" | "DROP" | "COMMENT" | "GRANT" | "REVOKE", _) => match word(1) {
            "TABLE" => Kind::NotAnalysed,
            _ => Kind::Ddl,
        },
        ("DO" | "INSERT" | "UPDATE" | "SELECT" | "WITH" | "CALL" | "REPLACE" | "VALUES", _) => {
            Kind::Dml
        }
        (
            "SET" | "RESET" | "BEGIN" | "START" | "COMMIT" | "END" | "ROLLBACK" | "SAVEPOINT"
            | "RELEASE" | "ANALYZE" | "ANALYSE" | "VACUUM" | "USE",
            _,
        ) => Kind::Session,
        ("PRAGMA", _) => Kind::Pragma {
            name: word(1)
                .rsplit('.')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase(),
        },
        _ => Kind::NotAnalysed,
    }
}
