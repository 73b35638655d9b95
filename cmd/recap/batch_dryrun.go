package main

import (
	"context"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/plan"
	"github.com/recap-dev/recap/source"
	"github.com/recap-dev/recap/storage"
)

// runBatchDryRun lists the batch's items with their length, whether each
// is already summarized with these options, and an estimate of what the
// rest would take. Nothing is queued, stored or paid.
func (m *Main) runBatchDryRun(ctx context.Context, a *batchArgs) error {
	cfg, err := ConfigFromEnv(m.Getenv)
	if err != nil {
		return err
	}
	lang := a.req.Language
	if lang == "" {
		lang = cfg.Lang
	}
	if lang, err = recap.ParseLanguage("--lang", lang); err != nil {
		return err
	}
	asr := batchASR(cfg)
	if a.req.Transcribe && asr == nil {
		return pipeline.NoASR()
	}
	logger := m.newLogger(cfg, levelWarn)
	d, err := m.openDeps(ctx, cfg, logger, depsOptions{store: true})
	if err != nil {
		return err
	}
	defer d.Close()
	r := d.resolver(source.FilesAny, "")
	r.Stdin = m.Stdin
	exp, err := r.ExpandAll(ctx, a.req.Sources, source.Options{Limit: a.req.Limit, Since: a.req.Since})
	if err != nil {
		return err
	}
	gen := d.summarizer.Generator()
	p, err := plan.Make(exp.Items, plan.Options{
		Force: a.req.Force, Pricer: pricer(cfg), MaxCostUSD: a.req.MaxCostUSD, ASR: asr, Transcribe: a.req.Transcribe,
		Offline: gen.Summarizer == recap.SummarizerExtractive,
		Summarized: func(it source.Item) (bool, error) {
			doc, err := d.store.FindDocument(ctx, storage.DocumentKey{
				VideoID: it.ID, Language: lang, Summarizer: gen.Summarizer, Model: gen.Model, PromptVersion: gen.PromptVersion,
			})
			if recap.ErrorCode(err) == recap.ENOTFOUND {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			// With --transcribe only a summary of this model's transcript
			// is the same work (the newest summary is the one looked at).
			return !a.req.Transcribe || doc.TranscriptSource == recap.TranscriptASR && doc.Generator.ASRModel == cfg.ASR.Model, nil
		},
	})
	if err != nil {
		return err
	}
	return p.Write(m.Stdout)
}
