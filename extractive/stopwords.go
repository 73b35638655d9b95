package extractive

import (
	"strings"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
	"github.com/kljensen/snowball/hungarian"
	"github.com/kljensen/snowball/norwegian"
	"github.com/kljensen/snowball/russian"
	"github.com/kljensen/snowball/spanish"
	"github.com/kljensen/snowball/swedish"
)

// language is what the analyzer knows of one language: its stop words and
// its Snowball stemmer (nil where Snowball has none in Go).
type language struct {
	stop func(string) bool
	stem func(string, bool) string
}

var languages = map[string]language{
	"en": {stop: func(w string) bool { return english.IsStopWord(w) || englishExtra[w] }, stem: english.Stem},
	"es": {stop: spanish.IsStopWord, stem: spanish.Stem},
	"fr": {stop: french.IsStopWord, stem: french.Stem},
	"ru": {stop: russian.IsStopWord, stem: russian.Stem},
	"sv": {stop: swedish.IsStopWord, stem: swedish.Stem},
	"no": {stop: norwegian.IsStopWord, stem: norwegian.Stem},
	"nb": {stop: norwegian.IsStopWord, stem: norwegian.Stem},
	"nn": {stop: norwegian.IsStopWord, stem: norwegian.Stem},
	"hu": {stop: hungarian.IsStopWord, stem: hungarian.Stem},
	"de": {stop: setOf(germanStop)},
	"pt": {stop: setOf(portugueseStop)},
	"it": {stop: setOf(italianStop)},
	"nl": {stop: setOf(dutchStop)},
}

func setOf(words string) func(string) bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return func(w string) bool { return m[w] }
}

// englishExtra adds to Snowball's list the words of speech that carry no
// topic: fillers, contractions' stems, vague nouns and verbs. Transcripts
// are full of them, and without this they win keyword titles.
var englishExtra = func() map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(`
		um umm uh uhh erm hmm oh ah ahh wow hey hi hello yeah yep yes nope okay ok
		alright gonna wanna gotta kinda sorta like know think really actually
		basically literally going get gets got getting thing things stuff lot lots
		kind sort right well also would could one ones even much many way say says
		said see seen make makes made go goes went gone want wants mean means look
		let us may might must shall still back something anything everything
		nothing someone somebody anyone everyone pretty little maybe sure every
		another around always never ever today can't won't also already though
		although yet since unless whether either neither else whatever whenever
		let's that's there's here's what's it's i'm i've i'll i'd you're you've
		you'll you'd we're we've we'll we'd they're they've they'll they'd he's
		she's isn't aren't wasn't weren't don't doesn't didn't haven't hasn't
		hadn't couldn't wouldn't shouldn't ain't cannot need needs two three
		come comes came take takes took put puts give gives gave tell told talk
		talking talked guess probably definitely totally exactly quite enough
		bit start started welcome guys today's called call calls good bad long
		big small new old great different whole important first last next
		better best real true use used using find found help helps keep show
		try seem seems become becomes happen happens example fact everybody
		super cool awesome amazing huge tiny simple hard easy zero four five
		six seven eight nine ten eleven twelve thirteen fourteen fifteen
		sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty
		seventy eighty ninety hundred thousand million billion half second
		third thank thanks`) {
		m[w] = true
	}
	return m
}()

// Lists for languages Snowball's Go port has no stemmer for: the most
// frequent function words, as in the Snowball project's lists.
const germanStop = `aber alle allem allen aller alles als also am an ander andere anderem
anderen anderer anderes anderm andern anderr anders auch auf aus bei bin bis bist da
damit dann das dass dasselbe dazu daß dein deine deinem deinen deiner deines dem
demselben den denn denselben der derer derselbe derselben des desselben dessen dich
die dies diese dieselbe dieselben diesem diesen dieser dieses dir doch dort du durch
ein eine einem einen einer eines einig einige einigem einigen einiger einiges einmal
er es etwas euch euer eure eurem euren eurer eures für gegen gewesen hab habe haben
hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres
im in indem ins ist jede jedem jeden jeder jedes jene jenem jenen jener jenes jetzt
kann kein keine keinem keinen keiner keines können könnte machen man manche manchem
manchen mancher manches mein meine meinem meinen meiner meines mich mir mit muss
musste nach nicht nichts noch nun nur ob oder ohne sehr sein seine seinem seinen
seiner seines selbst sich sie sind so solche solchem solchen solcher solches soll
sollte sondern sonst um und uns unsere unserem unseren unser unseres unter viel vom
von vor war waren warst was weg weil weiter welche welchem welchen welcher welches
wenn werde werden wie wieder will wir wird wirst wo wollen wollte würde würden zu
zum zur zwar zwischen ja okay halt mal eben genau äh ähm`

const portugueseStop = `a à ao aos aquela aquelas aquele aqueles aquilo as às até com como
da das de dela delas dele deles depois do dos e é ela elas ele eles em entre era
eram essa essas esse esses esta está estão estas este estes eu foi fomos for foram
há isso isto já lhe lhes mais mas me mesmo meu meus minha minhas muito na não nas
nem no nos nós nossa nossas nosso nossos num numa o os ou para pela pelas pelo
pelos por qual quando que quem são se seja sem ser seu seus só sua suas também te
tem têm tinha tu tua tuas um uma você vocês vos então tipo né aí bem coisa`

const italianStop = `a ad al alla alle allo ai agli anche avere aveva c che chi ci come
con contro cui da dal dalla dalle dallo dai dagli degli dei del della delle dello di
e è ed era erano gli ha hanno ho i il in io la le lei li lo loro lui ma mi mia mie
miei mio ne nei nel nella nelle nello noi non nostra nostro o per perché più quale
quando quella quelle quello questa queste questo se sei si sia siamo sono su sua
sue sui sul sulla suo suoi ti tra tu tua tuo un una uno vi voi allora cioè poi
così proprio cosa essere fare`

const dutchStop = `aan al alles als altijd andere ben bij daar dan dat de der deze die
dit doch doen door dus een eens en er ge geen geweest haar had heb hebben heeft hem
het hier hij hoe hun iemand iets ik in is ja je kan kon kunnen maar me meer men met
mij mijn moet na naar niet niets nog nu of om omdat onder ons ook op over reeds te
tegen toch toen tot u uit uw van veel voor want waren was wat werd wezen wie wil
worden wordt zal ze zelf zich zij zijn zo zonder zou gewoon eigenlijk even`
