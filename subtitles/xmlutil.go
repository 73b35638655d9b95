package subtitles

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// newXMLDecoder returns a strict decoder that also knows HTML's named
// entities (&nbsp;), which caption files use although XML does not define
// them.
func newXMLDecoder(data []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Entity = xml.HTMLEntity
	return d
}

// rootElement reads up to the document's root element.
func rootElement(d *xml.Decoder, format string) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return xml.StartElement{}, syntaxErrorf(format, 0, "no root element, expected an XML document")
		}
		if err != nil {
			return xml.StartElement{}, xmlError(d, format, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.CharData:
			// The decoder accepts text outside any element; a document
			// that starts with text is not XML (JSON, WebVTT, HTML error
			// text).
			if s := strings.TrimSpace(string(t)); s != "" {
				return xml.StartElement{}, syntaxErrorf(format, 0, "not XML: starts with %q, expected an XML document", clip(s))
			}
		}
	}
}

// elementText reads the rest of element start and returns its text, with
// nested elements (<s>, <span>, <font>) flattened and <br/> as a newline.
func elementText(d *xml.Decoder, format string) (string, error) {
	var b strings.Builder
	for depth := 1; depth > 0; {
		tok, err := d.Token()
		if err != nil {
			return "", xmlError(d, format, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if t.Name.Local == "br" {
				b.WriteByte('\n')
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			b.Write(t)
		}
	}
	return b.String(), nil
}

// attr returns the value of the attribute with the given local name.
func attr(se xml.StartElement, local string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// line is the decoder's current line, for error messages.
func line(d *xml.Decoder) int {
	l, _ := d.InputPos()
	return l
}

func xmlError(d *xml.Decoder, format string, err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &SyntaxError{Format: format, Line: se.Line, Msg: "invalid XML: " + se.Msg, Err: err}
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return &SyntaxError{Format: format, Line: line(d), Msg: "unexpected end of XML", Err: err}
	}
	return &SyntaxError{Format: format, Line: line(d), Msg: err.Error(), Err: err}
}
