package youtubetest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/recap-dev/recap"
)

// SyntheticChapter is one chapter of a synthetic video.
type SyntheticChapter struct {
	Start time.Duration
	Title string
	// Words is the chapter's own vocabulary: no other chapter of the
	// video uses these words (while there are topics enough to go round).
	Words []string
}

// SyntheticChapters returns the chapters SyntheticVideo builds for the same
// arguments, so tests can check what a pipeline made of them.
func SyntheticChapters(dur time.Duration, chapters int, seed int64) []SyntheticChapter {
	if chapters < 1 {
		chapters = 1
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	order := r.Perm(len(topics))
	step := dur / time.Duration(chapters)
	out := make([]SyntheticChapter, chapters)
	for i := range out {
		start := time.Duration(i) * step
		if i > 0 {
			// Up to ±20% jitter keeps chapters uneven but ordered.
			jitter := time.Duration(r.Int64N(int64(step)*2/5+1)) - step/5
			start = (start + jitter).Truncate(time.Second)
		}
		t := topics[order[i%len(topics)]]
		title := t.title
		if i >= len(topics) {
			title = fmt.Sprintf("%s (part %d)", t.title, i/len(topics)+1)
		}
		out[i] = SyntheticChapter{Start: start, Title: title, Words: t.words}
	}
	return out
}

// SyntheticVideo builds a long video for tests and benchmarks: dur long,
// with the given number of chapters listed in the description (YouTube's
// "0:00 Title" form), a manual English caption track with a cue about
// every four seconds, and the same cues as its get_transcript transcript.
// Each chapter's cues draw on that chapter's own vocabulary, so topic
// segmentation and summaries can be checked chapter by chapter. The same
// seed gives the same video. id must be 11 characters of A-Z a-z 0-9 _ -.
func SyntheticVideo(id string, dur time.Duration, chapters int, seed int64) Video {
	chs := SyntheticChapters(dur, chapters, seed)
	r := rand.New(rand.NewPCG(uint64(seed), 0x2545f4914f6cdd1d))

	var desc strings.Builder
	fmt.Fprintf(&desc, "A synthetic lecture in %d parts, made for testing recap.\n\nChapters:\n", len(chs))
	for _, c := range chs {
		fmt.Fprintf(&desc, "%s %s\n", timestamp(c.Start, dur), c.Title)
	}
	desc.WriteString("\nThanks for watching! Subscribe for more.")

	var segs []recap.Segment
	ch := 0
	for start := time.Duration(0); start < dur; {
		for ch+1 < len(chs) && chs[ch+1].Start <= start {
			ch++
		}
		end := min(start+time.Duration(3500+r.IntN(1000))*time.Millisecond, dur)
		segs = append(segs, recap.Segment{Start: start, End: end, Text: sentence(r, chs[ch].Words)})
		start = end
	}

	return Video{
		ID:          id,
		Title:       fmt.Sprintf("Synthetic lecture %s: %d topics", id, len(chs)),
		Channel:     "recap synthetic channel",
		Description: desc.String(),
		PublishDate: "2024-03-15",
		Duration:    dur,
		Tracks:      []Track{{Lang: "en", Translatable: true, Segments: segs}},
		Transcript:  segs,
	}
}

// timestamp writes a chapter start as creators do: "4:05", or "1:02:03"
// throughout when the video is an hour or longer.
func timestamp(d, total time.Duration) string {
	s := int64(d / time.Second)
	if total >= time.Hour {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// sentence is about ten words: mostly the topic's, some glue.
func sentence(r *rand.Rand, words []string) string {
	n := 8 + r.IntN(5)
	out := make([]string, n)
	for i := range out {
		if r.IntN(10) < 6 {
			out[i] = words[r.IntN(len(words))]
		} else {
			out[i] = glue[r.IntN(len(glue))]
		}
	}
	out[0] = strings.ToUpper(out[0][:1]) + out[0][1:]
	return strings.Join(out, " ") + "."
}

var glue = []string{"the", "and", "of", "we", "then", "this", "is", "that", "with", "so", "really", "because", "which", "you", "can", "see"}

type topic struct {
	title string
	words []string
}

// topics have pairwise disjoint vocabularies.
var topics = []topic{
	{"Sourdough baking", []string{"sourdough", "starter", "flour", "hydration", "crumb", "proofing", "oven", "crust", "levain", "dough", "knead", "yeast"}},
	{"Volcanoes", []string{"volcano", "magma", "lava", "eruption", "caldera", "ash", "tectonic", "crater", "basalt", "pyroclastic", "vent", "summit"}},
	{"Chess openings", []string{"chess", "opening", "gambit", "pawn", "bishop", "knight", "castling", "sicilian", "checkmate", "rook", "queen", "tempo"}},
	{"Honeybees", []string{"honeybee", "hive", "pollen", "nectar", "colony", "drone", "beekeeper", "comb", "swarm", "wax", "forager", "brood"}},
	{"Black holes", []string{"blackhole", "horizon", "singularity", "hawking", "accretion", "spacetime", "gravity", "quasar", "relativity", "redshift", "photon", "galaxy"}},
	{"Roman aqueducts", []string{"aqueduct", "roman", "arch", "engineer", "gradient", "cistern", "empire", "masonry", "siphon", "concrete", "fountain", "channel"}},
	{"Jazz improvisation", []string{"jazz", "improvise", "saxophone", "chord", "swing", "bebop", "solo", "trumpet", "rhythm", "melody", "blues", "ensemble"}},
	{"Coral reefs", []string{"coral", "reef", "polyp", "bleaching", "algae", "lagoon", "atoll", "plankton", "snorkel", "anemone", "symbiosis", "turtle"}},
	{"Compilers", []string{"compiler", "parser", "lexer", "syntax", "bytecode", "optimizer", "register", "assembly", "grammar", "token", "linker", "inlining"}},
	{"Mountain climbing", []string{"climber", "altitude", "glacier", "crampon", "belay", "carabiner", "ridge", "everest", "oxygen", "sherpa", "summitpush", "rope"}},
	{"Tea ceremony", []string{"tea", "matcha", "whisk", "ceremony", "kettle", "porcelain", "steep", "oolong", "teahouse", "tatami", "bowl", "infusion"}},
	{"Electric cars", []string{"battery", "charger", "motor", "regenerative", "lithium", "inverter", "range", "torque", "kilowatt", "charging", "cathode", "drivetrain"}},
	{"Medieval castles", []string{"castle", "moat", "drawbridge", "keep", "battlement", "siege", "knighthood", "rampart", "portcullis", "garrison", "turret", "feudal"}},
	{"Photosynthesis", []string{"chlorophyll", "photosynthesis", "leaf", "stomata", "glucose", "sunlight", "chloroplast", "carbon", "thylakoid", "enzyme", "xylem", "sugar"}},
	{"Stock markets", []string{"stock", "dividend", "portfolio", "investor", "bond", "index", "volatility", "broker", "equity", "shareholder", "bubble", "valuation"}},
	{"Origami", []string{"origami", "fold", "crease", "paper", "crane", "mountainfold", "valleyfold", "tessellation", "sheet", "modular", "pleat", "kirigami"}},
	{"Vaccines", []string{"vaccine", "antibody", "antigen", "immune", "booster", "pathogen", "trial", "dose", "mrna", "lymphocyte", "immunity", "adjuvant"}},
	{"Desert ecology", []string{"desert", "cactus", "dune", "camel", "oasis", "drought", "succulent", "scorpion", "sandstorm", "mirage", "arid", "lizard"}},
	{"Typography", []string{"typeface", "serif", "kerning", "glyph", "ligature", "baseline", "font", "leading", "italic", "typesetting", "ascender", "letterform"}},
	{"Arctic exploration", []string{"arctic", "iceberg", "sledge", "expedition", "polar", "husky", "tundra", "icebreaker", "frostbite", "aurora", "permafrost", "navigator"}},
	{"Cheese making", []string{"cheese", "rennet", "curd", "whey", "cheddar", "brine", "aging", "mold", "dairy", "camembert", "culture", "pasteurize"}},
	{"Radio astronomy", []string{"radiotelescope", "antenna", "pulsar", "interferometer", "frequency", "dish", "signal", "hydrogen", "wavelength", "receiver", "baseline21", "noise"}},
	{"Bicycle repair", []string{"bicycle", "derailleur", "spoke", "tire", "chain", "sprocket", "brakepad", "handlebar", "cassette", "puncture", "saddle", "wrench"}},
	{"Ancient Egypt", []string{"pharaoh", "pyramid", "hieroglyph", "nile", "papyrus", "mummy", "sphinx", "temple", "dynasty", "obelisk", "scribe", "tomb"}},
}
