"""The vocabulary of ``voc.report.fixes``: the patterns of rating talk ("would be 5 stars if",
"-1 star for", "4 stars because") and the word lists that tell a named fix from praise, from a
pointer back to another sentence, or from "I haven't used it yet".

Kept apart from the reading itself so that tuning a pattern is an edit here, with its reason,
and the reading stays short.
"""

import re

_F = r"(?:5|five)"
NUM = {"one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5}
# A rating above the one given: five stars, 5/5, "the fifth star", "another star", "a higher rating",
# "I'd give it a 5" (a bare 5 only where nothing follows it: "there can only be 5 waves" is no rating).
_TARGET = (rf"(?:\b{_F}\s?-?\s?(?:stars?\b|star's|\*|★)|\b{_F}\s?(?:/|out of)\s?{_F}\b|\bfull (?:{_F} )?stars\b"
           r"|\b(?:fifth|5th)(?: \w+)? star\b|\b(?:other|missing|extra|remaining|another|one more|more) stars?\b"
           rf"|\b(?:higher|better) (?:rating|score)\b|\b(?:rated?|rating|give|given|gave|change|raise|up|upgrade|bump|be|"
           rf"vote|review|it) (?:\w+ ){{0,2}}?(?:to |a |an )?{_F}(?=\s*(?:$|[.,;:!?)]|(?:if|but|when|once|then|from|for|"
           r"and|or|instead|because|is|was|with|without|unless|except|as|so|since)\b)))")
# A rating given below five: "4 stars", "three-star", "3/5", "4 out of 5".
_GIVEN = (r"\b(?P<n>[234]|two|three|four)(?:\.5| ?1/2| and a half)?\s?-?\s?(?:stars?\b|star's|\*|★|/ ?5\b"
          rf"|out of {_F}(?: stars)?\b)")
_END = r"[^.;!?]*"
_WHY = r"(?:because|bec?au?se|beacause|becuase|becasue|due to|since|cause|cuz|bc|b/c|based on)"
_FIX = r"\s*(?P<fix>[^.;!?]*)"
# What makes "5 stars" a condition rather than a statement: "would", "I'd", "deserves", "then".
MODAL = re.compile(r"(?:\b(?:would|woul?d'?ve|woulda|could|will|wil|might|should|deserves?|worth|then|gladly|"
                   r"definitely|surely|be|mind)\b|'d\b|'ll\b|\b(?:id|ill|itll|itd)\b)", re.I)
ALMOST = re.compile(r"\b(?:almost|nearly|close to|easily|otherwise|so close)\b", re.I)
_CONJ = (r"(?:if|when|whenever|once|as soon as|provided|unless|but|except(?: that| for)?|only if|if only|if not for|"
         r"were it not for|however|though|although|save for|other than|apart from|after|"
         r"with(?:out)?(?! (?:a |any )?(?:doubt|hesitation|question|reservations?|problem)))")
_DEDUCT = (r"(?:\b(?:minus|loo?s(?:e|es|ing|t)|tak(?:e|es|ing)|took|knock(?:s|ed|ing)?|dock(?:s|ed|ing)?|strip(?:s|ped)?|"
           r"drop(?:s|ped|ping)?|deduct(?:s|ed|ing)?|remov(?:e|es|ed|ing)|subtract(?:s|ed|ing)?|cost(?:s|ing)? (?:it|them))"
           r"(?: off| away)?(?: \w+)?? (?:a|one|1|two|2|three|3|half a|some|another|the|an extra) ?-? ?(?:full )?stars?\b"
           r"(?: off| away| less)?|(?<![\w/])[-−] ?(?:1|one|a) stars?\b|\blower(?:ed|ing)? (?:the|my) (?:stars?|rating)\b"
           r"|\b(?:one|a|1|two|2) stars? (?:off|less|fewer|down|held back|withheld)\b|\bmissing (?:star|(?:one|a|1) stars?)\b)")
# The words that start the "then" half of "if you add X I'd give it 5 stars".
_THEN = r"(?:then|i|i'd|id|i'll|ill|i'm|it'd|it'll|itll|this|that|they'd|they'll|you'd|you'll|we'd|we'll|5|five)"

# (family, pattern, whether it is about a rating given below five, whether the reason may come
# before the rating words). ``fix`` is the reason after them, ``pre`` the one before.
PATTERNS = [(name, re.compile(p, re.I), given, before) for name, p, given, before in [
    ("not five", rf"(?:\b(?:not|never|no|less than|short of|shy of|lacks?|keep(?:s|ing)? (?:\w+ ){{1,2}}from|"
                 r"stop(?:s|ping)? \w+ from|prevent(?:s|ing)? \w+ from|hold(?:s|ing)? (?:\w+ )?back|inhibits? \w+ from|"
                 rf"fell short of)\b|n't\b){_END}?{_TARGET}{_END}?(?:\b(?:{_WHY}|as|is|was|are|were|being|would be)\b|:|"
                 rf"\s-\s){_FIX}", False, True),
    ("fix and five", r"(?:^|[,;:!.-]\s*|\b(?:please|pls|plz|just|and|so|but)\s+)(?P<fix>(?:fix|add|bring back|bring|remove|"
                     r"take away|take out|get rid of|make|increase|improve|update|patch|change|include|implement|allow|"
                     r"let|give us|put|speed up|support|provide|offer|enable|lower|reduce|restore|sort out|correct|solve|"
                     rf"resolve)\b[^.;!?]*?)\s*(?:,|\band\b|\bthen\b|\bso\b|&|\+|->|=|:|\s-\s)+\s*[^.;!?]{{0,40}}?{_TARGET}",
     False, True),
    ("if X, five", rf"\b(?:if|when|once|whenever)\b\s*(?P<fix>[^.;!?]+),\s*(?P<then>[^.;!?,]{{0,50}}?){_TARGET}",
     False, False),
    ("if ... five", rf"\b(?:if|when|once|as soon as|whenever|(?:were|had)(?= (?:i|it|they|we|this) not\b))\b\s*"
                    rf"(?P<fix>[^.;!?,]+?)\s+(?={_THEN}\b)(?P<then>[^.;!?]{{0,50}}?){_TARGET}", False, False),
    ("needs for five", r"\b(?:needs?|requires?|lacks?|lacking|missing|wants?)\b\s*(?P<fix>[^.;!?]+?)\s+(?:to|for it to|"
                       rf"before it can|before i)\s+(?:get|be|earn|deserve|reach|receive|give it)\b[^.;!?]{{0,20}}?{_TARGET}",
     False, False),
    ("almost five", rf"{ALMOST.pattern}[^.;!?]{{0,15}}?{_TARGET}[,\s]*(?:but\s+)?(?:it\s+|just\s+)*(?:needs?|lacks?|"
                    rf"is missing|missing|wants?)\b{_FIX}", False, False),
    ("would make it five", r"(?P<pre>[^.;!?]*?)\b(?:would|will|could|'d|'ll)\s+(?:\w+\s+)?(?:make|get|earn|bring|turn)"
                           rf"\b[^.;!?]{{0,25}}?{_TARGET}", False, True),
    ("five but", rf"(?P<target>{_TARGET}){_END}?\b(?P<conj>{_CONJ})\b\s*:?{_FIX}", False, True),
    ("minus a star", rf"{_DEDUCT}{_FIX}", False, True),
    ("otherwise five", r"\b(?:otherwise|other ?wise|other than that|apart from that|except for that|then|in that case|"
                       rf"on update|after (?:the|an|that) update)\b[^.;!?]{{0,40}}?{_TARGET}", False, True),
    # "4 stars instead of 5 because ...", "a 4 not a 5, because ...", or the reason before them.
    ("stars instead of five", rf"(?:{_GIVEN}|\b(?P<m>[234]|two|three|four)(?=,? (?:instead of|rather than|vs\.?|not) "
                              rf"(?:a )?{_F}\b))(?: (?:rating|review))? (?:instead of|rather than|not|vs\.?|versus|vice|"
                              rf"and not|as opposed to) (?:a )?(?:{_F}|full)\b(?: stars?)?(?:{_END}?(?:\b(?:{_WHY}|as|is|"
                              rf"was|for)\b|:|\s-\s){_FIX})?", True, True),
    ("only n stars because", rf"\b(?:only|just|merely|solely)\b[^.;!?]{{0,40}}?{_GIVEN}[^.;!?]{{0,25}}?(?:\b(?:{_WHY}|"
                             rf"as|for now|until|till|is|was)\b|:){_FIX}", True, True),
    ("n stars because", rf"{_GIVEN}[^.;!?]{{0,20}}?(?:\b{_WHY}\b|\bas (?=there|it|they|the|i|we|my|you|of)){_FIX}",
     True, True),
    ("so n stars", r"(?P<pre>[^.;!?]*?)[,;:\s-]*\b(?:so|hence|thus|therefore|that'?s why|that is why|which is why|"
                   r"this is why|for (?:that|this|these|those) reasons?|that'?s the reason for|(?:is|are) the reasons? "
                   r"(?:for|why)|until|till)\b[^.;!?]{0,45}?" + _GIVEN, True, True),
    ("n stars until", rf"(?P<pre>[^.;!?]*?){_GIVEN}(?: \w+)? (?:for now|until|till|til)\b", True, True),
    # "i didn't give it five stars." after "The lack of bass is the only reason".
    ("didn't give five", rf"(?:\b(?:not|never)|n't)\s+(?:\w+\s+){{0,2}}?(?:give|rate|get|go|deserve|earn)\w*(?:\s+\w+){{0,3}}?"
                         rf"\s+{_TARGET}\s*(?:\w+\s*){{0,2}}[.!]*$", False, True),
]]

# Reasons that name no fix: the reviewer has not used the product long enough, or needs help.
NO_FIX = re.compile(
    r"\b(?:(?:haven't|hasn't|hadn't|(?:have|has|had) (?:not|never)|never)(?: yet)?(?: \w+)? (?:used|tried|needed|filed|"
    r"made|submitted|started|begun|experienced|had (?:to|a|any|the (?:need|chance|opportunity))|had a need)|(?:not|never|"
    r"haven't|hasn't) (?:yet )?(?:used|tried|needed|filed|had to|been able to use)|yet to|(?:too|so|to) (?:soon|early)|"
    r"just (?:signed|enrolled|started|purchased|bought|got|joined|switched|began|begun)|(?:brand )?new (?:customer|"
    r"member|client|to (?:the|this|it))|only (?:had|been|used|read|tried)|(?:no|limited|little|not enough|not much|"
    r"more) (?:experience|history)|(?:see|know|find out|tell) how|how (?:\w+ ){0,3}(?:will be|are|is|get) (?:handled|"
    r"processed)|indicative|time will tell|(?:goes|go|ends) well|when or if|if and when|still new|i'?m new|"
    r"(?:when|until|once|after|if) (?:i|we) (?:(?:file|make|submit) (?:a|my|the|any)|start|have to (?:file|make|use)|"
    r"need to (?:file|use|make)|use (?:it|the|this))|reserve|figure (?:this|it|that|"
    r"out)|help me|how (?:can|do) i|(?:first|1st) (?:time|podcast|app)|nothing to compare|barely started|"
    r"(?:more|some) time with|in the future|room for improvement|(?:stars?|5|five) yet)\b", re.I)
# Reasons about the rating itself, not the product: "I can't seem to edit my rating".
ABOUT_RATING = re.compile(r"\b(?:(?:edit|change|fix|update) (?:my|the) (?:rating|review|stars?)|rating system|"
                          r"meant to (?:give|rate)|accidentally|by mistake|misclick|no (?:zero|0|half)|"
                          r"(?:[01]|zero|one) (?:and a half|1/2)|\.5 stars|half stars?)\b", re.I)
# "2 stars instead of 1", "or I would have given you one": the stars kept, not the ones missing.
KEPT = re.compile(r"\b(?:instead of|rather than|and not|than|vs\.?|versus|from|not) (?:a |an )?(?:[0-4]|zero|one|two|"
                   r"three|four)\b(?!\.\d| and a half| 1/2)|\b(?:be|been|get|got|give|gave|given|rate|rated)(?: \w+){0,2} "
                   r"(?:a |an )?(?:[01]|zero|one)(?:[- ]?stars?)?\b(?! more| extra| additional| of)", re.I)
# A sentence before that itself points further back: "CM12.1 doesn't have this issue".
FURTHER = re.compile(r"\b(?:this|that|the same|these|those)(?: is| was)?(?: a| an| the)? (?:\w+ )?(?:issues?|problems?|"
                      r"bugs?|errors?|glitch(?:es)?)\b", re.I)
# The fix comes after this sentence: "I have two suggestions that would make this a 5 star app:".
AHEAD = re.compile(r"(?<!those )(?<!these )(?<!the )\b(?:two|2|three|3|few|couple of|some|following) (?:things|changes|"
                    r"issues|suggestions|reasons|problems|points)\b|:\s*$", re.I)
NEGATIVE = set("""no not never nothing none nobody lack lacks lacking missing without too only slow slower long longer
    expensive pricey price cost costs costly premium premiums increase increased increases increasing raise raised hike
    bug bugs buggy crash crashes crashing crashed glitch glitches issue issues problem problems difficult hard harder
    confusing annoying wish would could should need needs hope unfortunately poor bad worse worst fail fails failed
    failing error errors delay delayed delays wait waiting limit limits limited exclusion exclusions exclude excluded
    excludes deny denied denial cap dated outdated boring dragged rushed disappointed disappointing disappointment mess
    messed ignored hoops drains drain ads freeze freezes freezing lag laggy broken stopped stops unable inconvenient
    unreasonable awful terrible horrible dreadful rocky rough repetitive shortcomings criticism criticisms flaw flaws
    complaint complaints faulted lost lose loses higher less fewer small little unclear ridiculous ridiculously mistake
    mistakes wrong cannot annoyed hassle nightmare frustrating frustrated unfortunate sadly lacked steep superficial
    shallow uncomfortable smell worthless sparse pain stuck clog clogs weak flimsy noisy loud awkward useless sucks
    tough high miss misses preventing prevents""".split())
POSITIVE = set("""great good love loved liked nice easy helpful excellent awesome amazing simple polite friendly quick
    quickly fast prompt decent interesting well works worked enjoy enjoyed best perfect fine happy solid convenience
    convenient generous pleasant wonderful fantastic superb glad impressed better positive useful""".split())
# Words that name no fix: pointers back ("fix this and 5 stars" names it in the sentence before),
# rating talk, verbs of fixing, and words every fix shares.
STOP = set("""this that it these those them they he she there here one ones thing things issue issues problem problems
    bug bugs stuff fix fixed fixes fixing gets get got is are was be been the a an and or of to for with please pls plz
    will would can could if when once then so just done sorted resolved add added adding feature features option
    options update updated improve improved improvement improvements change changed changes little bit more few some
    reason reasons gaffe above said mentioned happen happens again make made sure you your i me my we us our work works
    working give gave giving rate rated rating grant stars star review deserve deserves worth too available only two
    three four both all do does did guess now ok okay well soon also deal breaker dealbreaker put bring back their his
    her its i'm i've i'd you're they're we're there's what which who whom how why where any each every such not no own
    same than very even really still ever about as at by from in into on over under up down out off through after
    before during between because due since while until till though although but however have has had having am being
    were they've we've you've don't didn't doesn't can't won't wasn't isn't aren't couldn't wouldn't shouldn't haven't
    hasn't hadn't cannot lot lots much many way something anything everything nothing always never sometimes often
    kind sort app product company service time times day days week weeks month months year years hour hours minute
    minutes lack lacks lacking missing absence ability choice see seem seems like want wants need needs let lets show
    shows take takes took keep keeps know think feel try find say go goes went come comes use uses look looks allow
    allows support fact able other others granted implemented included patched corrected provided addressed solved
    introduced released completed finished wish case cases most patch irritating annoying frustrating major minor huge
    big serious real next saying telling asking trying having getting making taking using doing going coming looking
    seeing knowing wanting needing crazy super pretty quite rather""".split())
# Where a noun phrase starts: after a determiner, a possessive, a preposition or "add"/"need".
OPENERS = set("""the a an my our your their his her its no any more some of for with on in about lack without add
    need needs want wants have has had offer include fix improve bring""".split())
SYNONYMS = {"prices": "price", "pricing": "price", "priced": "price", "overpriced": "price", "cost": "price",
             "costs": "price", "expensive": "price", "pricey": "price", "costly": "price", "cheaper": "price",
             "cheap": "price", "premiums": "premium"}
