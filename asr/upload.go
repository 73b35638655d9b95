package asr

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"path"
	"strings"

	openai "github.com/sashabaranov/go-openai"
)

// The upload is the request go-openai's CreateTranscription makes, with
// go-openai's answer and error types, but streamed: go-openai v1.43
// builds the whole multipart body in a bytes.Buffer before sending it, so
// N chunks in flight hold N × up to 2 × the upload cap (a three-hour
// episode in 7 parallel 25 MiB chunks peaked at 434 MiB). Here the body
// is the form's few hundred bytes of framing around a reader of the
// chunk's section of the file, with its exact Content-Length.

// maxAnswer bounds what is read of an answer: a three-hour verbose_json
// transcript is a few MB.
const maxAnswer = 64 << 20

// upload sends one file (name carries the extension services go by) and
// decodes the verbose_json answer, or the json one (text alone) when text
// is set. HTTP errors come back as go-openai's
// *openai.APIError or *openai.RequestError, as CreateTranscription gives
// them, for retry.StatusOf.
func (t *Transcriber) upload(ctx context.Context, name, lang string, text bool, open func() io.Reader, size int64) (openai.AudioResponse, error) {
	head, tail, contentType, err := t.form(name, lang, text)
	if err != nil {
		return openai.AudioResponse{}, err
	}
	body := func() io.ReadCloser {
		return io.NopCloser(io.MultiReader(bytes.NewReader(head), open(), bytes.NewReader(tail)))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(t.cfg.BaseURL, "/")+"/audio/transcriptions", body())
	if err != nil {
		return openai.AudioResponse{}, err
	}
	req.ContentLength = int64(len(head)) + size + int64(len(tail))
	req.GetBody = func() (io.ReadCloser, error) { return body(), nil }
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	if t.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+t.cfg.APIKey)
	}
	resp, err := t.http.Do(req)
	if err != nil {
		return openai.AudioResponse{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body) // bounded by retry.WrapClient at maxAnswer
	if err != nil {
		return openai.AudioResponse{}, fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode >= 400 {
		return openai.AudioResponse{}, statusError(resp, data)
	}
	var out openai.AudioResponse
	if err := json.Unmarshal(data, &out); err != nil {
		return openai.AudioResponse{}, fmt.Errorf("answer is not JSON: %w", err)
	}
	return out, nil
}

// form is the multipart framing around the file: the fields and the
// file part's header before it, the closing boundary after it. lang is
// the language asked for ("" lets the service detect it); text asks for
// json without timestamps, for models that give none.
func (t *Transcriber) form(name, lang string, text bool) (head, tail []byte, contentType string, err error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fields := [][2]string{
		{"model", t.cfg.Model},
		{"response_format", string(openai.AudioResponseFormatVerboseJSON)},
		{"timestamp_granularities[]", string(openai.TranscriptionTimestampGranularitySegment)},
	}
	if text {
		fields = [][2]string{{"model", t.cfg.Model}, {"response_format", string(openai.AudioResponseFormatJSON)}}
	}
	if lang != "" {
		fields = append(fields, [2]string{"language", lang})
	}
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return nil, nil, "", err
		}
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	if _, err := mw.CreatePart(h); err != nil {
		return nil, nil, "", err
	}
	head = bytes.Clone(buf.Bytes())
	buf.Reset()
	if err := mw.Close(); err != nil {
		return nil, nil, "", err
	}
	return head, bytes.Clone(buf.Bytes()), mw.FormDataContentType(), nil
}

// statusError decodes an error answer as go-openai does.
func statusError(resp *http.Response, body []byte) error {
	var er openai.ErrorResponse
	if err := json.Unmarshal(body, &er); err != nil || er.Error == nil {
		return &openai.RequestError{HTTPStatus: resp.Status, HTTPStatusCode: resp.StatusCode, Err: err, Body: body}
	}
	er.Error.HTTPStatus, er.Error.HTTPStatusCode = resp.Status, resp.StatusCode
	return er.Error
}
