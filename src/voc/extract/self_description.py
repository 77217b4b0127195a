"""What authors say they are (role, job, life stage, household, pets, expertise, experience), for the
persona cards. A phrase is kept only when its head word names a person, or the author's household, pets
or business: the head, not a list of bad phrases, turns away "as a result", "as a pair i", "as an alexa
device". The word lists come from heads seen in real reviews and forums; no parser, as this runs on every
sentence."""

from __future__ import annotations

import re
from collections.abc import Callable

_lex = lambda text: frozenset(text.split())  # noqa: E731


_PERSON = _lex("""mom mum mother dad father parent grandparent grandma grandmother grandpa grandfather wife husband
spouse fiance fiancee newlywed widow widower bachelor homeowner renter tenant landlord roommate sister brother son
daughter student undergrad undergraduate grad graduate freshman sophomore junior senior postdoc teenager kid child
adult retiree pensioner veteran vet citizen immigrant expat foreigner native local newcomer beginner novice newbie noob
newb amateur hobbyist enthusiast expert pro professional specialist connoisseur aficionado snob geek nerd techie junkie
addict fanatic lover collector gamer writer author blogger youtuber redditor lurker traveler traveller commuter runner
hiker climber camper swimmer surfer skier golfer hunter angler gardener cook chef baker brewer homebrewer roaster
barista drinker sleeper eater smoker vegan vegetarian diabetic celiac introvert extrovert cheapskate tightwad diyer
farmer rancher breeder groomer trainer walker sitter foster rescuer volunteer caregiver caretaker nanny babysitter
engineer developer programmer coder dev designer architect analyst researcher consultant contractor freelancer manager
director executive founder cofounder ceo cto cfo vp entrepreneur proprietor employee intern apprentice trainee worker
laborer technician tech mechanic plumber carpenter electrician welder machinist roofer painter builder landscaper
inspector realtor agent broker banker accountant bookkeeper auditor actuary lawyer attorney paralegal judge clerk
cashier bartender server waiter waitress butcher driver trucker pilot nurse rn lpn lvn rvt lvt cna doctor surgeon
dentist hygienist pharmacist counselor paramedic emt medic firefighter officer cop soldier marine sailor veterinarian
teacher professor lecturer tutor instructor educator coach administrator admin sysadmin secretary assistant
receptionist editor reporter singer composer producer dj actor actress dancer stylist hairdresser barber tailor
seamstress jeweler florist janitor custodian housekeeper cleaner maid practitioner supervisor dispatcher courier
shopkeeper retailer vendor reseller merchant recruiter marketer salesperson rep streamer millionaire survivor guardian
guy gal girl boy man woman lady dude male female handyman fisherman repairman foreman businessman salesman craftsman
tradesman layman policeman fireman mailman freshman american mexican african european korean german brit texan catholic
muslim jew hindu mormon agnostic""")
# Heads that say who only with a modifier or a tenure: "a pet owner", "a customer of 8 years", not "a customer".
_GENERIC = _lex("""owner customer client consumer user buyer shopper member subscriber policyholder person individual
human people one reader listener viewer patient purchaser major""")
# Modifiers that add a feeling, not a fact: "a very happy customer" describes nobody in particular.
_EVALUATIVE = _lex("""happy satisfied unhappy dissatisfied disappointed frustrated angry upset loyal valued paying good
great big huge real true proud faithful devoted very really so extremely pretty quite fairly super truly most more only
same other such certain awesome amazing wonderful nice kind first last next best worst beautiful bad terrible horrible
lucky fortunate better worse smart stupid dumb excellent positive negative fantastic""")
# After "as a", these name a thing as often as a person; the author must speak next.
_AMBIGUOUS = _lex("""agent server driver tech pilot cleaner host rep vet junior senior local native trainer walker
foster sitter roaster brewer""")
# "as a kid", "i was a teenager" place a memory in time rather than say who the author is now.
_YOUTH = _lex("kid child boy girl teen teenager youngster baby toddler adult youth")
# Words a person suffix (-er, -or, -ist) lets in that name an attitude or a thing ("i'm a firm believer").
_NOT_ROLES = _lex("""believer supporter follower admirer advocate proponent sucker stickler champion victim fan
hypocrite idiot fool moron loser winner failure disaster mess wreck goner number matter quarter order other letter
paper water power corner center centre cover counter computer monitor motor factor color colour error mirror floor door
honor humor rumor indicator sensor processor median meridian playlist checklist wishlist shortlist blacklist assist
persist insist resist consist talisman walkman ottoman doberman later earlier after ever never over under rather
whether together either neither further older younger bigger smaller better faster longer shorter cheaper higher lower
easier harder closer sooner former latter proper super clever eager inner outer upper""")
_PETS = _lex("""dog puppy pup pooch doggo cat kitten kitty pet furbaby horse pony rabbit bunny bird parrot cockatiel
budgie ferret hamster pig tortoise turtle snake lizard gecko lab labrador retriever golden shepherd husky beagle poodle
terrier bulldog frenchie chihuahua dachshund doxie corgi pug boxer rottweiler rottie pitbull pittie doodle goldendoodle
labradoodle bernedoodle schnauzer spaniel collie yorkie tzu maltese pomeranian greyhound mastiff dane heeler aussie
sheltie bernese newfie cavalier akita shiba malamute weimaraner vizsla hound mutt rescue siamese tabby ragdoll bengal""")
_PARENTS = _lex("mom mum mother dad father parent grandparent grandma grandmother grandpa grandfather mama papa")
_KIDS = _lex("""kid child son daughter baby infant toddler newborn twin teen teenager boy girl grandkid grandchild
grandson granddaughter stepson stepdaughter stepkid""")
# What else an author has, owns or runs that says who they are; the second only modified ("oily skin").
_HAS = _lex("""business company shop store cafe restaurant bakery startup agency firm practice clinic farm ranch kennel
blog channel website podcast house home apartment condo flat yard garden acre land property job family team roommate
background degree phd allergy diabetes asthma arthritis adhd autism anxiety depression migraine tinnitus eczema acne
rosacea psoriasis insomnia disability""")
_HAS_MODIFIED = _lex("""skin hair ear hand feet budget condition commute skill experience knowledge breakout pore
wrinkle scar freckle pimple blackhead saving income""")
_ORGS = _lex("""team family household company startup business agency couple shop firm nonprofit non-profit charity
practice clinic rescue farm school church club band""")
# Words that end a noun phrase: what follows them is no longer the thing named.
_STOP = _lex("""of who whom whose that which with in at for from and but so or nor to on by when while because since
like than as if though although until after before about into onto over under near through where what how why i we you
he she they it me us him her them my our your his their its this these those the a an is am are was were be been being
has have had do does did would will can could should shall may might must not myself ourselves here there now today too
also just still then yet already anyway either even ever never i'm i've i'd we're we've it's that's who's and/or""")
_DET = _lex("a an the my our this one two three four five six several multiple")
# "i have used", "i have done business": a perfect tense, not a possession.
_PARTICIPLE = _lex("""done been seen had got gotten made taken given known found heard paid spent sent kept left lost
bought brought told said chosen written tried""")
# A phrase cut by a comma mid-way ("i work for a small, private company") ends on one of these.
_DANGLING = _lex("small large little local new old major private public busy less")
_SUBJECT = _lex("i we i'm i've i'd i'll we're we've we'd im ive myself")
_FIRST = _SUBJECT | _lex("me my our us ourselves")
_OTHERS = _lex("he she they you he's she's they're you're him himself herself his")
# A verb right after "as the other agent" makes "as" mean "because".
_VERBISH = _lex("""is was are were has had have did does do also would will could can should never refused said told
didn't wasn't isn't doesn't won't""")
# "such as a", "known as a", "served as a", "as good as a": the "as a" of a comparison, not a role.
_COMPARE = _lex("""such well same much many soon far long known used use acts act doubles serves serve served works
treated classified considered counted regarded seen labeled labelled listed marked described""")
# Practices that make an expert ("i've been roasting for 10 years"); "using it for 2 years" makes a customer.
_PRACTICE = _lex("""roasting brewing cooking baking drinking making working teaching training grooming breeding
fostering rescuing showing volunteering running cycling riding hiking camping fishing hunting gardening building
programming coding designing developing writing painting drawing playing practicing studying collecting repairing
fixing selling investing trading freelancing living skating diving sewing knitting homebrewing caring nursing raising
farming managing lifting doing photographing shooting producing recording mixing restoring renovating remodeling""")
_COMPARISON = re.compile(r"\bas (?:much|many|well|good|bad|long|often|far|soon|\w+ly|\w+er)\b[^,.;:!?]*$", re.I)
_SUFFIX_ANY = re.compile(r"[a-z-]{3,}(?:ist|ian|grapher|phile|holic|smith|woman|person)$")
_SUFFIX_SELF = re.compile(r"[a-z]{3,}(?:er|or|eur)$")
_NUM = (r"(?:\d+\+?|a few|a couple(?: of)?|several|many|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|"
        r"twenty|thirty|forty|fifty|a dozen)")
_TENURE = re.compile(rf"^(?:(?:of|for) (?:over |about |almost |nearly |around |more than |the (?:past|last) )?"
                     rf"(?:{_NUM} )?(?:years?|decades?)|all (?:my|our) (?:life|lives)|"
                     rf"since (?:(?:19|20)\d\d|i was (?:a (?:kid|child|teen|teenager)|\d+|young|little)|college|high school))\b")
_I_AM = r"(?:i'm|im|i am)"
_STATES = (r"retired|pregnant|married|divorced|widowed|single(?!-)|unemployed|self-employed|disabled|diabetic|vegan|"
           r"vegetarian|broke|colou?rblind|deaf|left-handed|homeless|bilingual|(?:lactose|gluten) intolerant|tall|"
           r"short(?! on| of)|allergic to (?!those|these|this|that|it|them)[a-z]+|"
           r"on an? (?:tight |fixed |limited |small |strict |low |student )?(?:budget|income|pension)|"
           r"in (?:college|high school|grad school|med school|law school|nursing school|vet school|university|"
           r"the military|the army|the navy|the air force|(?-i:IT)|sales|marketing|tech|healthcare|finance|retail|"
           r"construction|real estate|my (?:teens|twenties|thirties|forties|fifties|sixties|seventies|\d0'?s))")
SELF_DESCRIPTION = re.compile(
    rf"\b(?:(?P<age>{_I_AM} (?:an? )?\d{{1,2}}[- ]?(?:years?|yrs?)[- ]?old|{_I_AM} \d{{1,2}} ?(?:yo|y/o))\b"
    rf"|(?P<new>(?:{_I_AM}|we're|we are|being) (?:(?:fairly|pretty|very|quite|relatively|completely|totally|brand|still|"
    rf"somewhat|also|kinda|a bit|a little) )?new to)(?= )"
    rf"|(?P<state>(?:{_I_AM}|we're|we are) (?:(?:now|currently|also|recently|newly|happily|both|still|semi-) ?)?"
    rf"(?:{_STATES}))\b"
    rf"|(?P<noexpert>{_I_AM} (?:no|not an?|by no means an?|far from an?) (?:expert|pro|professional|specialist|"
    rf"connoisseur|audiophile|techie|guru))\b"
    rf"|(?P<exp>(?:i|we)(?:'ve| have)? (?:been [a-z]+ing|worked|taught|volunteered|studied|trained|cooked|brewed|"
    rf"roasted|bred|fostered|groomed)|i was (?:professionally |formally )?trained)\b"
    rf"|(?P<years>(?:i|we) have (?:over |about |almost |nearly |more than |some )?{_NUM} years?'? (?:of )?experience)\b"
    rf"|(?P<im>(?:{_I_AM}|i was|i've been|i have been|i used to be|i (?:currently )?work(?:ed)? as|"
    rf"(?:{_I_AM}) (?:currently )?working as)(?: (?:also|now|currently|actually|just|still|only|basically|primarily|"
    rf"originally|myself|already|technically|officially|proudly|literally|both))? (?:an?|the))(?= )"
    rf"|(?P<we>(?:we're|we are)(?: (?:both|all|also|now|just|still))?(?: an?)?)(?= )"
    rf"|(?P<someone>as (?:someone|somebody|a person|one) (?:who|with))(?= )"
    rf"|(?P<as>(?:as|being)(?: an?| the)?)(?= )"
    rf"|(?P<have>(?:i|we)(?:'ve| have)? (?:have|own|got|adopted|run|manage|'ve got|have got|'ve had|have had|"
    rf"also have|now have))(?= )"
    rf"|(?P<work>i (?:currently |also )?work (?:in|at|for|from|nights|full[- ]time|part[- ]time|remotely|two jobs))\b"
    rf"|(?P<live>(?:i|we) (?:currently |now |also )?live (?:in|on|with|alone|near|outside)|"
    rf"(?:{_I_AM}|we're|we are) (?:(?:originally|currently) )?(?:from|based in|located in)(?= (?-i:[A-Z])))\b"
    rf"|(?P<parent>(?:mom|dad|mum|mother|father|parent) (?:of|to))(?= )"
    rf"|(?P<retired>retired)(?= [a-z])"
    rf"|(?P<here>here)(?=[,.!:;]| and| so| but| -|$)"
    rf"|(?P<like>(?<=[a-z] )like (?:me|us|myself))\b"
    rf")", re.I)


def _singular(word: str) -> str:
    if word in ("children", "people") or word.endswith("men") or (word.endswith("ies") and len(word) > 4):
        return {"children": "child", "people": "person"}.get(word) or word[:-3] + ("man" if word[-1] == "n" else "y")
    return word[:-1] if word.endswith("s") and not word.endswith(("ss", "us", "is")) else word


def _is_person(word: str, strict: bool) -> bool:
    """strict after "as a", which any noun can follow; after "i am a" agent nouns (-er) and compounds pass."""
    for w in dict.fromkeys((word, _singular(word))):
        if w in _NOT_ROLES:
            return False
        # compounds: "bridesmaid", "schoolteacher"; not after "as a", where "screwdriver" would pass
        if w in _PERSON or w in _GENERIC or _SUFFIX_ANY.match(w) or not strict and (
                _SUFFIX_SELF.match(w) or any(w[k:] in _PERSON for k in range(3, len(w) - 3))):
            return True
    return False


_owned = lambda word: _singular(word) in _PETS | _KIDS | _HAS | _HAS_MODIFIED  # noqa: E731
_tail = lambda rest, words: " ".join(rest.lower().split()[len(words):])  # noqa: E731


def _phrase(rest: str, head: Callable[[str], bool] | None = None, dets: bool = False, limit: int = 6) -> list[str]:
    """The noun phrase opening rest: it ends on a stop word, or a participle or name after its head ("a dog named Max")."""
    words: list[str] = []
    for prev, raw in zip([""] + rest.split(), rest.split()[:limit]):
        w = raw.lower().strip("'\"*")
        named = any(x not in _DET for x in words)
        after_head = bool(words) and head is not None and head(words[-1]) and not head(w)
        # "east lansing" is a place, not a participle
        participle = w.endswith(("ing", "ed")) and named and not raw[:1].isupper()
        if dets and not words and (w in _DET or w.isdigit()):
            words.append(w)
        elif (not w or w in _STOP or "--" in w or "'" in w or (participle and (head is None or after_head))
              or (w[:1].isdigit() and any(not x[:1].isdigit() for x in words if x not in _DET))
              or (after_head and raw[:1].isupper() and not prev[:1].isupper())):  # "pets HealthyPaws will"
            break
        else:
            words.append(w)
    return words


def _who(words: list[str], strict: bool, past: bool, tail: str) -> bool:
    """A person head; a generic one ("customer") only with a fact ("long-time", "of 8 years"); no "i was a kid"."""
    if not words or not _is_person(words[-1], strict):
        return False
    head = _singular(words[-1])
    if (words[0] in ("little", "bit", "tad", "lot") and head not in _PERSON) or (past and head in _YOUTH):
        return False  # "i'm a little hyper"
    modified = any(w not in _EVALUATIVE and w not in _DET for w in words[:-1])
    return head not in _GENERIC or modified or bool(_TENURE.match(tail) or _owner_of(head, tail))


def _owner_of(head: str, tail: str) -> list[str]:
    """ "owner of a small cafe" (a business or pet), not "owner of a breville"."""
    words = _phrase(tail[3:], _owned, dets=True, limit=5) if head == "owner" and tail[:3] == "of " else []
    return ["of"] + words if words and _owned(words[-1]) else []


def _children(rest: str) -> list[str] | None:
    """ "two", "3 boys", "a frenchie" after "mom of/to"; not "a very ..." or "daughter"."""
    words = _phrase(rest, dets=True, limit=4)
    content = [w for w in words if w not in _DET and not w.isdigit()]
    ok = words and (words[0] in _DET or words[0].isdigit())
    return words if ok and (not content or words[-1] == "old" or _singular(words[-1]) in _PETS | _KIDS) else None


def _extend(words: list[str], tail: str) -> list[str]:
    """A tenure ("for 20 years"), children ("mom of two") or what is owned ("owner of a cafe") after the head."""
    if m := _TENURE.match(tail):
        return words + m.group(0).split()
    if tail[:3] in ("of ", "to ") and _singular(words[-1]) in _PARENTS:
        kids = _children(tail[3:])
        return words + tail.split()[:1] + kids if kids else words
    return words + _owner_of(_singular(words[-1]), tail)


def _first_person(before: str, after: str, required: bool) -> bool:
    """Whose an "as a ..." is: the first pronoun after it, else the last subject before it ("i bought it as a
    student") or "my" just before ("my 41 years as a yorkie mom"); "griffith's talent as a writer" is griffith's."""
    for w in re.findall(r"[a-z']+", after.lower())[:8]:
        if w in _FIRST or w in _OTHERS:
            return w in _FIRST
    before = re.split(r"[.!?]\s+|\b(?:because|which|who|when|while|although|though|but|whereas)\b", before)[-1]
    for i, w in enumerate(reversed(re.findall(r"[a-z']+", before.lower())[-10:])):
        if w in _SUBJECT or (i < 3 and w in ("my", "our")):
            return True
        if w in _OTHERS or (i < 3 and w.endswith("'s") and w not in _FIRST):
            return False
    return not required and not before.strip(" \"'(-*")


def _ranked(cue: str, words: list[str], tail: str) -> bool:
    """ "i was the first economist to ...": a rank; "a total addict of her programs": a fan."""
    fan = words[-1] in ("addict", "junkie", "fanatic", "lover") and tail.startswith("of ") and len(words) < 3
    return fan or cue.endswith(" the") and bool(set(words) & {"only", "first", "last", "other", "same", "best", "one"})


def _role(kind: str, cue: str, rest: str, before: str, after: str) -> list[str] | None:
    """ "i'm a ...", "i was a ...", "i work as a ...", "retired ..."."""
    if kind == "retired" and before.strip(" \"'(-*") and not re.search(r"[.!?:;\n]\s*$", before):
        return None  # "my retired parents" are someone else; "Retired teacher here." is the author
    words = _phrase(rest, lambda w: _is_person(w, False))
    tail = _tail(rest, words)
    if not _who(words, kind == "retired", cue.startswith(("i was", "i used")), tail) or _ranked(cue, words, tail):
        return None
    return _extend(words, tail)


def _as(kind: str, cue: str, rest: str, before: str, after: str) -> list[str] | None:
    """ "as a nurse, i ...", "being a dog owner, we ...", "as parents, we ..."."""
    words = _phrase(rest, lambda w: _is_person(w, True))
    tail, prev = _tail(rest, words), before.lower().split()[-1:]
    if not words or (prev and prev[0] in _COMPARE) or _COMPARISON.search(before) or _ranked(cue, words, tail) or (
            words[0] in ("rule", "result", "whole", "matter", "consequence", "side", "general")):  # "as a rule, ..."
        return None
    if tail.split()[:1] and (tail.split()[0] in _VERBISH or tail.split()[0].endswith("ed")):
        return None  # "as the other agent refused": as = because
    head, bare, after = _singular(words[-1]), cue in ("as", "being"), tail + " " + after
    if head in _ORGS and not bare:  # "as a company, they ..." is about the company
        return words if _first_person("", after, True) else None
    # "as an avid composter i ...": an agent noun passes when the author follows at once
    strict = not (re.match(r"^[\s,]*(?:i|we|i'm|i've|i'd|we're|we've)\b", after.lower()) and _SUFFIX_SELF.match(head))
    if (bare and head == words[-1]) or head in _YOUTH or not _who(words, strict, True, tail):
        return None
    # "as parents, we" and "being a nurse, i" need the author named next; "being a pet parent can
    # bring joy" is about anyone; "as a scouring agent" is a thing.
    if bare and not set(re.findall(r"[a-z']+", after.lower())[:6]) & {"we", "our", "us", "we're", "we've"}:
        return None
    if (cue.startswith("being") or head in _AMBIGUOUS) and not _first_person("", after, True):
        return None
    return _extend(words, tail) if _first_person(before, after, False) else None


def _we(kind: str, cue: str, rest: str, before: str, after: str) -> list[str] | None:
    """ "we're a family of four", "we are dog people"; not "we're consistently getting clients"."""
    words = _phrase(rest, lambda w: _is_person(w, False) or w in _ORGS)
    if not words or words[0] in ("no", "not", "never"):
        return None
    tail = _tail(rest, words)
    if cue.endswith((" a", " an")):
        return _extend(words, tail) if _singular(words[-1]) in _ORGS or _who(words, False, False, tail) else None
    if any(w.endswith(("ly", "ing")) for w in words[:-1]) or _singular(words[-1]) == words[-1]:
        return None
    return words if _who(words, False, False, tail) else None


def _have(kind: str, cue: str, rest: str, before: str, after: str) -> list[str] | None:
    """Pets, children, a business, a home, a condition: "i have a senior cat with diabetes"."""
    words = _phrase(rest, _owned, dets=True)
    if not words or words[-1] in _DET or not _owned(words[-1]):
        return None
    head, verb, tail = _singular(words[-1]), cue.split()[-1], _tail(rest, words)
    head_raw = next((r for r in rest.split() if r.lower().strip("'\"*") == words[-1]), "")
    if (head in _HAS and head_raw[:1].isupper()  # "i have a Gene Cafe" is a roaster, not a business
            or words[0] in _PARTICIPLE or (words[0].endswith("ed") and verb == "have")  # "i have used"
            # "i have a great experience with them" is a verdict; "i have no pimples today" a state
            or head in _HAS_MODIFIED and not [w for w in words[:-1] if w not in _DET | _EVALUATIVE]
            or head in _HAS and set(words) & _EVALUATIVE  # "we have a great insurance company"
            or set(words) & {"no", "zero"} and head not in ("experience", "knowledge", "skill", "background")
            or head == "job" and "the" in words  # "not sure if i got the job"
            # "i got a house" is an event, the purchase trigger's business
            or head in _HAS | _HAS_MODIFIED and head != "job" and verb in ("got", "adopted")):
        return None
    m = re.match(r"^with (?:an? )?(?:[a-z-]+ ){0,2}?[a-z-]+(?= and|$)", rest.strip()[len(" ".join(words)):].strip())
    if head in _PETS | _KIDS and m and not set(m.group(0).split()) & _STOP - {"with", "a", "an"}:
        return words + m.group(0).split()  # "a senior cat with diabetes"; not "with ASPCA" (capitalised)
    if head in ("degree", "background", "experience", "knowledge", "phd") and tail[:3] in ("in ", "as "):
        return words + tail.split()[:1] + _phrase(tail[3:], dets=True, limit=3)
    return _extend(words, tail)


def _place(kind: str, cue: str, rest: str, before: str, after: str) -> list[str] | None:
    """ "i work in healthcare", "i live in a small apartment", "i'm new to espresso"."""
    if cue.split()[-1] in ("nights", "time", "remotely", "jobs", "alone"):
        return []
    words = _phrase(rest, dets=True, limit=5)
    while words and (words[-1] in _DANGLING | _EVALUATIVE or words[-1].endswith("ly")):
        words.pop()  # "i work for a small, private company" was cut by its comma
    if kind == "new" and _tail(rest, words).startswith("of "):
        words += ["of"] + _phrase(_tail(rest, words)[3:], dets=True, limit=3)
    if kind == "live" and words and words[-1] in _lex("world society age era time times day bubble fear hope denial"):
        return None  # "we live in a world where..." says nothing about where the author lives
    if [w for w in words if w not in _DET]:
        return words
    return rest.lower().split()[:1] if kind == "new" and rest.lower().split()[:1] in (["this"], ["it"]) else None


def _experience(kind: str, cue: str, rest: str, before: str, after: str) -> list[str] | None:
    """ "i've been roasting for 10 years", "i worked in retail for 10 years"."""
    tokens, verb = rest.lower().split(), cue.split()[-1]
    if ("been" in cue.split() and verb not in _PRACTICE) or (verb == "worked" and tokens[:1] in (["for"], ["since"])):
        return None  # "i've been using it for 2 years" is a customer; "i worked for years" says not as what
    for i in range(min(len(tokens), 7)):
        m = _TENURE.match(" ".join(tokens[i:]))
        if m and not m.group(0).startswith("of"):
            glue = _lex("in at as a an the with on my our professionally and")
            ok = not (tokens[:i] and tokens[i - 1] in _STOP) and not set(tokens[:i]) & _STOP - glue
            return tokens[:i] + m.group(0).split() if ok else None
    return None


def _someone(kind: str, cue: str, rest: str, before: str, after: str) -> list[str] | None:
    """ "as someone who works in insurance", "as someone with sensitive skin"."""
    low = rest.lower()
    if _COMPARISON.search(before) or not _first_person(before, low + " " + after, False):
        return None  # "as much as someone with a massive dog", "he strikes me as someone who ..."
    words = _phrase(rest, dets=True) if cue.endswith("with") else re.split(
        r"(?:^| )(?:i|we|i'm|i've|i'd|we're|but|so)(?= |$)", low)[0].split()[:9]
    return words if len(words) >= 2 or (words and cue.endswith("with")) else None


def _before(kind: str, cue: str, rest: str, before: str, after: str) -> list[str] | None:
    """ "Vet tech here," opening a sentence; "a beginner like me", "coffee enthusiasts like us"."""
    clause = re.split(r"[.!?;:,\n(]\s*", before)[-1].lower().split()
    if kind == "here":
        return clause if 0 < len(clause) <= 4 and not set(clause) & _STOP and _who(clause, True, False, "") else None
    words: list[str] = []
    for w in reversed(clause[-5:]):
        if w in _STOP or w in _DET or w in ("some", "even", "fellow"):
            break
        words.insert(0, w)
    opener = clause[-len(words) - 1] if len(clause) > len(words) else ""
    if opener not in ("", "a", "an", "the", "for", "as", "of", "some", "even", "among", "with", "by", "fellow"):
        return None  # "to keep customers like us": an object, not the author
    rhetorical = {"guy", "gal", "man", "woman", "girl", "boy", "dude", "lady", "person", "folk"}
    return words if words and _singular(words[-1]) not in rhetorical and _who(words, True, True, "") else None


_READERS: dict[str, Callable[[str, str, str, str, str], list[str] | None]] = {
    "im": _role, "retired": _role, "as": _as, "we": _we, "have": _have, "work": _place, "live": _place,
    "new": _place, "exp": _experience, "someone": _someone, "here": _before, "like": _before,
    "parent": lambda kind, cue, rest, before, after: _children(rest),  # "mom of two", not "mother to daughter"
}


def self_descriptions(text: str) -> list[str]:
    """What authors say they are ("i'm a vet tech", "we have two dogs", "i've been roasting for 10 years")."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    found: list[str] = []
    for m in SELF_DESCRIPTION.finditer(text):
        kind, cue = m.lastgroup or "", m.group(m.lastgroup or 0).lower()
        rest = re.match(r"[^.,;:!?()\[\]\n\"]*", text[m.end():]).group(0)[:120]  # type: ignore[union-attr]
        words = _READERS[kind](kind, cue, rest, text[:m.start()], text[m.end() + len(rest):]) if kind in _READERS else []
        if words is None:
            continue
        phrase = re.sub(r"^im\b", "i'm", " ".join(words + [cue] if kind in ("here", "like") else [cue] + words).strip(" -"))
        # "retired nurse" inside "i'm a retired nurse" is the same statement.
        if not any(phrase in f for f in found):
            found = [f for f in found if f not in phrase] + [phrase]
    return found
