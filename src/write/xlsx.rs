//! The bidder compliance matrix as a spreadsheet (rust_xlsxwriter): one sheet per
//! lot, the same rows as the annex's matrix, a drop-down answer per row, columns
//! for the evidence and a comment, and locked formulas for the provisional award
//! score. `crate::responses` reads filled-in copies back.

use rust_xlsxwriter::{
    Color, DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder,
    Formula, ProtectionOptions, Workbook, Worksheet, XlsxError,
};

use crate::catalogue::model::Role;
use crate::diag::Diagnostic;
use crate::render::View;

/// Row (0-based) of the column headers; data rows follow.
pub const HEADER_ROW: u32 = 5;
/// Cell of the bidder's name (row, column).
pub const BIDDER_CELL: (u32, u16) = (2, 1);
/// Column headers, in order. `responses` finds its columns by these names.
pub const COLUMNS: [&str; 9] = [
    "Id",
    "Requirement",
    "Kind",
    "Obligation",
    "Points",
    "Answer",
    "Evidence in the tender (document, page or section)",
    "Comment",
    "Provisional points",
];
/// Characters of the requirement column per printed line (its width is 52).
const REQUIREMENT_CHARS: usize = 50;
/// Answers to a mandatory selection criterion or technical specification, as
/// section 2.1 of the annex defines them.
pub const MANDATORY_ANSWERS: [&str; 4] = ["yes", "alternative", "equivalent", "no"];
/// Answers to an award criterion: the commitment in full, in part, or not.
pub const AWARD_ANSWERS: [&str; 3] = ["yes", "partly", "no"];
/// The fixed answer of a contract clause (accepted by submitting the tender).
pub const ACCEPTED: &str = "accepted";

/// Human name of a supplier role, as in the matrix's "Kind" column.
pub fn kind(role: Role) -> &'static str {
    match role {
        Role::SelectionCriterion => "Selection criterion",
        Role::TechnicalSpecification => "Technical specification",
        Role::AwardCriterion => "Award criterion",
        Role::ContractClause => "Contract clause",
        Role::BuyerAction => "Buyer action",
    }
}

/// The sheet name of a lot: its id (Excel allows 31 characters), or "Matrix".
pub fn sheet_name(view: &View) -> String {
    match &view.lot {
        Some(lot) => lot.id.chars().take(31).collect(),
        None => "Matrix".to_string(),
    }
}

/// Write the matrix of every lot of one questionnaire (one view per lot).
pub fn write(views: &[View]) -> Result<Vec<u8>, Diagnostic> {
    build(views).map_err(|e| Diagnostic::error(format!("internal error writing XLSX: {e}")))
}

fn build(views: &[View]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    if let Some(first) = views.first() {
        let p = &first.procurement;
        // A fixed creation date (the annex date): the same inputs give the same bytes.
        let created = ExcelDateTime::from_ymd(p.year as u16, p.month as u8, p.day as u8)?;
        book.set_properties(
            &DocProperties::new()
                .set_title(format!("Bidder compliance matrix {}", p.reference))
                .set_author(&p.buyer)
                .set_creation_datetime(&created),
        );
    }
    for view in views {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(view))?;
        fill(sheet, view)?;
    }
    book.save_to_buffer()
}

fn fill(sheet: &mut Worksheet, view: &View) -> Result<(), XlsxError> {
    let border = |f: Format| f.set_border(FormatBorder::Thin).set_border_color("#AFAFAF");
    let title = Format::new().set_bold().set_font_size(13);
    let bold = Format::new().set_bold();
    let header = border(
        Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_background_color("#D9E2F3"),
    );
    let cell = border(Format::new().set_text_wrap().set_align(FormatAlign::Top));
    let input = border(
        Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_background_color(Color::RGB(0xFFF9DB))
            .set_unlocked(),
    );
    let p = &view.procurement;
    let lot = view
        .lot
        .as_ref()
        .map(|l| format!(", lot {}: {}", l.id, l.title))
        .unwrap_or_default();
    sheet.write_string_with_format(
        0,
        0,
        format!("Bidder compliance matrix, {}{lot}", p.reference),
        &title,
    )?;
    sheet.write_string_with_format(1, 0, "Procurement", &bold)?;
    sheet.write_string(1, 1, &p.title)?;
    sheet.write_string_with_format(BIDDER_CELL.0, 0, "Bidder", &bold)?;
    sheet.write_string_with_format(BIDDER_CELL.0, BIDDER_CELL.1, "", &input)?;
    sheet.merge_range(
        3,
        0,
        3,
        (COLUMNS.len() - 1) as u16,
        "Answer every yellow cell as section 2.1 of the annex explains. Award criteria: \"yes\" \
         for the commitment in full, \"partly\" in part (half the points), \"no\" otherwise; \
         the points are provisional until the evaluation committee has checked the tender.",
        &Format::new().set_text_wrap().set_align(FormatAlign::Top),
    )?;
    sheet.set_row_height(3, 30)?;
    for (col, name) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, col as u16, *name, &header)?;
    }
    sheet.set_row_height(HEADER_ROW, 30)?;
    let mandatory = DataValidation::new()
        .allow_list_strings(&MANDATORY_ANSWERS)?
        .set_error_message("Choose yes, alternative, equivalent or no.")?;
    let award = DataValidation::new()
        .allow_list_strings(&AWARD_ANSWERS)?
        .set_error_message("Choose yes, partly or no.")?;
    let first = HEADER_ROW + 1;
    let mut row = first;
    for c in &view.clauses {
        let scored = c.role == Role::AwardCriterion;
        sheet.write_string_with_format(row, 0, &c.id, &cell)?;
        let requirement = format!("{} {}", c.number, c.title);
        // Spreadsheets do not size rows to wrapped text when they open a file:
        // give each row the lines its requirement needs at the column's width.
        let lines = requirement
            .chars()
            .count()
            .div_ceil(REQUIREMENT_CHARS)
            .max(1);
        sheet.set_row_height(row, 15 * lines as u32)?;
        sheet.write_string_with_format(row, 1, requirement, &cell)?;
        sheet.write_string_with_format(row, 2, kind(c.role), &cell)?;
        let obligation = if scored { "scored" } else { "mandatory" };
        sheet.write_string_with_format(row, 3, obligation, &cell)?;
        match c.weight.filter(|_| scored) {
            Some(w) => sheet.write_number_with_format(row, 4, f64::from(w), &cell)?,
            None => sheet.write_blank(row, 4, &cell)?,
        };
        if c.role == Role::ContractClause {
            sheet.write_string_with_format(row, 5, ACCEPTED, &cell)?;
        } else {
            sheet.write_blank(row, 5, &input)?;
            sheet.add_data_validation(row, 5, row, 5, if scored { &award } else { &mandatory })?;
        }
        sheet.write_blank(row, 6, &input)?;
        sheet.write_blank(row, 7, &input)?;
        if scored {
            let r = row + 1;
            let formula = Formula::new(format!(
                "=IF(F{r}=\"yes\",E{r},IF(F{r}=\"partly\",E{r}/2,0))"
            ))
            .set_result("0");
            sheet.write_formula_with_format(row, 8, formula, &cell)?;
        } else {
            sheet.write_blank(row, 8, &cell)?;
        }
        row += 1;
    }
    let last = row.max(first + 1) - 1;
    let (a, b) = (first + 1, last + 1);
    let totals = row + 1;
    sheet.write_string_with_format(
        totals,
        1,
        "Mandatory requirements answered \"no\" or not answered",
        &bold,
    )?;
    sheet.write_formula_with_format(
        totals,
        8,
        Formula::new(format!(
            "=COUNTIFS(D{a}:D{b},\"mandatory\",F{a}:F{b},\"no\")+COUNTIFS(D{a}:D{b},\"mandatory\",F{a}:F{b},\"\")"
        ))
        .set_result("0"),
        &bold,
    )?;
    sheet.write_string_with_format(
        totals + 1,
        1,
        format!("Provisional award score (of {} points)", view.award_total),
        &bold,
    )?;
    sheet.write_formula_with_format(
        totals + 1,
        8,
        Formula::new(format!("=SUM(I{a}:I{b})")).set_result("0"),
        &bold,
    )?;
    for (col, width) in [15.0, 52.0, 20.0, 11.0, 7.0, 12.0, 34.0, 30.0, 11.0]
        .into_iter()
        .enumerate()
    {
        sheet.set_column_width(col as u16, width)?;
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, 1)?;
    // Printed: A4 landscape, one page wide, the header row on every page.
    sheet.set_paper_size(9);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    sheet.autofilter(HEADER_ROW, 0, last, (COLUMNS.len() - 1) as u16)?;
    // Rows, weights and formulas are locked (no password: this protects against
    // slips, not against a determined bidder; `responses` checks the rows against
    // the questionnaire anyway).
    let options = ProtectionOptions {
        use_autofilter: true,
        sort: true,
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::default()
    };
    sheet.protect_with_options(&options);
    Ok(())
}
