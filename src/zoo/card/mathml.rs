//! A few MathML Core builders, so each objective reads as a formula in code too. Every text
//! that goes into an element is escaped; the markup itself is the only thing not.

/// `text` with the five XML specials escaped.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// An identifier: `x`, `θ`, `KL`.
pub fn mi(name: &str) -> String {
    format!("<mi>{}</mi>", escaped(name))
}

/// An upright identifier, such as an operator name written in letters (`log`, `GRU`).
pub fn upright(name: &str) -> String {
    format!("<mi mathvariant=\"normal\">{}</mi>", escaped(name))
}

/// An operator or fence: `=`, `+`, `(`.
pub fn mo(operator: &str) -> String {
    format!("<mo>{}</mo>", escaped(operator))
}

/// A number.
pub fn mn(number: impl std::fmt::Display) -> String {
    format!("<mn>{}</mn>", escaped(&number.to_string()))
}

/// Words inside a formula.
pub fn mtext(words: &str) -> String {
    format!("<mtext>{}</mtext>", escaped(words))
}

/// `parts` grouped into one row.
pub fn row(parts: &[String]) -> String {
    format!("<mrow>{}</mrow>", parts.concat())
}

/// `base` with a subscript.
pub fn sub(base: String, script: String) -> String {
    format!("<msub>{base}{script}</msub>")
}

/// `base` with a superscript.
pub fn sup(base: String, script: String) -> String {
    format!("<msup>{base}{script}</msup>")
}

/// `base` with a subscript and a superscript, written under and over (a sum, a product).
pub fn under_over(base: String, under: String, over: String) -> String {
    format!("<munderover>{base}{under}{over}</munderover>")
}

/// `base` with a script written under it (`min` over `G`).
pub fn under(base: String, script: String) -> String {
    format!("<munder>{base}{script}</munder>")
}

/// `parts` in parentheses.
pub fn parens(parts: &[String]) -> String {
    row(&[mo("("), row(parts), mo(")")])
}

/// `parts` in square brackets.
pub fn brackets(parts: &[String]) -> String {
    row(&[mo("["), row(parts), mo("]")])
}

/// The expectation `𝔼` over `over`, of `parts` in brackets.
pub fn expectation(over: &[String], parts: &[String]) -> String {
    row(&[sub(mi("𝔼"), row(over)), brackets(parts)])
}

/// `f(arguments)`, with `f` already written.
pub fn apply(function: String, arguments: &[String]) -> String {
    row(&[function, parens(arguments)])
}

/// `parts` marked as the term plotted as the loss curve `curve`: hovering or focusing it
/// lights the curve up, and its colour is the curve's.
pub fn term(curve: &str, parts: &[String]) -> String {
    format!(
        "<mrow class=\"term\" data-curve=\"{}\" tabindex=\"0\">{}</mrow>",
        escaped(curve),
        parts.concat()
    )
}

/// A displayed formula, labelled for a screen reader by `label`.
pub fn block(label: &str, parts: &[String]) -> String {
    format!(
        "<math display=\"block\" aria-label=\"{}\">{}</math>",
        escaped(label),
        parts.concat()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_markup_nests() {
        assert_eq!(mo("<"), "<mo>&lt;</mo>");
        assert_eq!(
            term("D(x)", &[apply(mi("D"), &[mi("x")])]),
            "<mrow class=\"term\" data-curve=\"D(x)\" tabindex=\"0\"><mrow><mi>D</mi><mrow><mo>(</mo><mrow><mi>x</mi></mrow><mo>)</mo></mrow></mrow></mrow>"
        );
        assert_eq!(
            block("a \"b\"", &[mn(1)]),
            "<math display=\"block\" aria-label=\"a &quot;b&quot;\"><mn>1</mn></math>"
        );
    }
}
