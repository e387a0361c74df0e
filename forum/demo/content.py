"""The words of the demo convention: framework, groups, people, submissions, first discussions."""
from __future__ import annotations

AREAS = [
    ("politics-and-people", "Politics and People",
     "What the organisation stands for and how it acts in the party and in society.",
     ["Policies", "Aims", "Commitments", "Ethics", "Representation and Liberation",
      "Labour Party Selections and Elections"]),
    ("power-and-participation", "Power and Participation",
     "How members, local groups and the leadership share power and hold each other to account.",
     ["Local Groups", "Members", "Elections", "NCG and Direct Democracy", "Transparency and Accountability"]),
]

# Which assembly's area each section of the results page belongs to.
SECTION_AREAS = {1: "politics-and-people", 2: "power-and-participation", 3: "power-and-participation",
                 4: "power-and-participation", 5: "politics-and-people"}

LOCAL_GROUPS = [
    ("Sheffield", "Yorkshire and the Humber"), ("Leeds", "Yorkshire and the Humber"),
    ("Hull", "Yorkshire and the Humber"), ("Manchester", "North West"), ("Liverpool", "North West"),
    ("Preston", "North West"), ("Newcastle", "North East"), ("Durham", "North East"),
    ("Birmingham", "West Midlands"), ("Coventry", "West Midlands"), ("Nottingham", "East Midlands"),
    ("Leicester", "East Midlands"), ("Norwich", "East of England"), ("Cambridge", "East of England"),
    ("Hackney", "London"), ("Lewisham", "London"), ("Haringey", "London"), ("Brighton and Hove", "South East"),
    ("Oxford", "South East"), ("Bristol", "South West"), ("Plymouth", "South West"), ("Cardiff", "Wales"),
    ("Swansea", "Wales"), ("Glasgow", "Scotland"), ("Edinburgh", "Scotland"),
]

AFFILIATES = [
    ("Fire Brigades Union", "trade_union"),
    ("Communication Workers Union", "trade_union"),
    ("Bakers, Food and Allied Workers Union", "trade_union"),
    ("Welsh Labour Grassroots", "sister_organisation"),
    ("Campaign for Socialism", "sister_organisation"),
]

# The demo logins the README lists, one for every role (all share the demo password).
STAFF = {
    "admin": ("Ada Okafor", "admin@convene.example", ["admin"], "Hackney"),
    "facilitator": ("Jo Whitfield", "facilitator@convene.example", ["facilitator"], "Leeds"),
    "facilitator2": ("Dev Sharma", "facilitator2@convene.example", ["facilitator"], "Leicester"),
    "leadership": ("Priya Raman", "ncg@convene.example", ["leadership"], "Birmingham"),
    "rep": ("Sam Ellis", "rep@convene.example", ["representative"], "Sheffield"),
    "member": ("Alex Moreno", "member@convene.example", [], "Bristol"),
    "member2": ("Bea Hughes", "member2@convene.example", [], "Cardiff"),
    "rep2": ("Callum Fraser", "rep.glasgow@convene.example", ["representative"], "Glasgow"),
}

MEMBER_NAMES = [
    "Aisha Begum", "Tom Gallagher", "Nadia Hussain", "Owen Price", "Grace Adeyemi", "Liam Doherty",
    "Sofia Rossi", "Daniel Kowalski", "Hannah Li", "Marcus Reid", "Ruth Evans", "Kwame Mensah",
    "Ellie Walsh", "Imran Shah", "Megan Jones", "Patrick Byrne", "Zara Ahmed", "Ben Carter",
    "Chloe Martin", "Rhys Morgan", "Fatima Noor", "George Hall", "Isla Campbell", "Yusuf Ali",
    "Maya Patel", "Joe Robinson", "Leah Thompson", "Ciaran Murphy", "Amira Haddad", "Rory Stewart-Kerr",
    "Nia Williams", "Sean O'Neill", "Ella Brooks", "Arjun Mehta", "Holly Green", "Kofi Boateng",
]

# (author, on behalf of the author's group?, area, topics, title, Markdown body)
SUBMISSIONS = [
    ("rep", True, "power-and-participation", ["Members", "NCG and Direct Democracy"],
     "Refound the organisation through its members",
     "The organisation should be refounded by its members through a democratic and inclusive process.\n\n"
     "Local groups and individual members should deliberate on a shared digital platform and in their own "
     "meetings before any text is drafted.\n\n"
     "A convention should turn these contributions into recommendations, and a ballot of all members should "
     "decide the new constitution."),
    ("rep", True, "power-and-participation", ["Local Groups"],
     "A vibrant local group in every community",
     "Every local group should be able to contact its own members directly.\n\n"
     "Groups should be able to bid for a campaign fund to support their activities.\n\n"
     "Every group should have a named key contact on the NCG and in the staff team.\n\n"
     "The national office should provide guidance, training and digital tools that groups can use."),
    ("member", False, "politics-and-people", ["Labour Party Selections and Elections"],
     "Local members choose local candidates",
     "Candidates the organisation backs in local selections should be decided by its members in that area.\n\n"
     "Before the next round of selections, review what went well and what went badly in recent ones and "
     "publish what was learnt."),
    ("rep2", True, "politics-and-people", ["Policies", "Commitments"],
     "Policies developed and prioritised by members",
     "Members should develop and prioritise the policies the organisation takes to party conference.\n\n"
     "The organisation should actively campaign around the policies its members prioritise, between "
     "conferences as well as at them."),
    ("member2", False, "power-and-participation", ["Transparency and Accountability", "NCG and Direct Democracy"],
     "An active and accountable leadership",
     "The minutes of each NCG meeting should be circulated to all members within two weeks.\n\n"
     "NCG members and NCG officers should not serve more than three terms.\n\n"
     "The NCG should report each year on how the strategy has been carried out."),
    ("member", False, "politics-and-people", ["Aims", "Representation and Liberation"],
     "Political education and organiser training for every member",
     "Every member, from new to experienced, should be able to take part in political education and "
     "organiser training.\n\n"
     "Training should give particular attention to building up young, Black, Asian and minority ethnic, "
     "and working-class activists as leaders."),
    ("rep", True, "politics-and-people", ["Commitments"],
     "An annual national priority campaign",
     "Each year members should choose one national priority campaign in a democratic vote.\n\n"
     "Local groups and sections should be supported to run their own campaigns alongside it."),
    ("member2", False, "power-and-participation", ["Elections", "Members"],
     "A democratic annual process to set strategy",
     "Members should set the organisation's strategy every year through a democratic process that ends in a "
     "decision of all members.\n\n"
     "The process should be published in advance with its dates, so that every group can take part."),
]

# (section, clause key or None, asker, question, answer or None)
CLARIFICATIONS = [
    (2, "c6", "member", "Does 'at least four times a year in person' include the monthly online meetings, "
     "or are the four in-person meetings in addition to them?",
     "In addition: the NCG meets monthly, and at least four of those meetings each year are in person."),
    (2, "c10", "member2", "Would the three-term limit count terms served before the new constitution "
     "comes into force?", None),
    (4, "c1", "Aisha Begum", "Who would decide which northern city is chosen, and would members be consulted?",
     None),
    (1, None, "Tom Gallagher", "How do these proposals relate to the existing constitution: do they replace "
     "it or amend it?",
     "They are the basis of a new constitution; the assembly drafts the constitutional text from them."),
]

# (section, clause key or None, author, comment, replier or None, reply or None)
COMMENTS = [
    (2, "c12", "Nadia Hussain", "A sovereign annual conference would be expensive to run well. Could an "
     "online conference be part of it?", "rep", "Our group discussed this: a hybrid conference would keep "
     "costs down and let more members take part."),
    (4, None, "Owen Price", "Good to see regional offices on the table. The timescales look ambitious "
     "though.", None, None),
    (3, "c4", "Grace Adeyemi", "A full-time officer for the trade union network is the part that makes this "
     "real.", "member", "Agreed, without staff time these networks fade after a year."),
]

# The two assemblies, as the seed composition says (4 leadership, trade-union and sister
# organisation representatives, 8 local-group representatives, 4 individual members, a
# facilitator). Appointed seats are listed here; the local-group and individual seats are drawn by
# lot from the pools in DRAW_POOLS (see forum/demo/draws.py).
ASSEMBLIES = {
    "politics-and-people": {
        "facilitator": ["facilitator2"],
        "leadership": ["leadership", "Aisha Begum", "Tom Gallagher", "Nadia Hussain"],
        "affiliate": ["Owen Price", "Grace Adeyemi"],
        "sister_organisation": ["Liam Doherty"],
    },
    "power-and-participation": {
        "facilitator": ["facilitator"],
        "leadership": ["Ben Carter", "Chloe Martin", "Rhys Morgan", "Fatima Noor"],
        "affiliate": ["George Hall", "Isla Campbell"],
        "sister_organisation": ["Yusuf Ali"],
    },
}

# More members, who fill the demo's pools beside the named members above.
POOL_FIRST_NAMES = ["Adam", "Bethan", "Carlos", "Deborah", "Emeka", "Freya", "Gareth", "Halima", "Ivan", "Jasmine",
                    "Kieran", "Lucy", "Mohammed", "Niamh", "Oscar", "Priti", "Quinn", "Rosa", "Samir", "Tanya",
                    "Usman", "Vicky", "Wes", "Xena", "Yasmin", "Zac"]
POOL_LAST_NAMES = ["Abbott", "Bibi", "Chowdhury", "Dlamini", "Edwards", "Fletcher", "Gordon", "Hassan", "Iqbal",
                   "Jenkins", "Khan", "Lloyd", "MacLeod", "Nowak", "Okonkwo", "Parry"]

# Each assembly's pools: local groups nominate representatives (the named ones first, then more
# members of the groups in turn), members volunteer as individuals. Seeds are published after the
# draw; quotas give the geographical spread and a balance of gender and age.
DRAW_POOLS = {
    "politics-and-people": {
        "nominees": ["rep2", "Sofia Rossi", "Daniel Kowalski", "Hannah Li", "Marcus Reid", "Ruth Evans",
                     "Kwame Mensah", "Ellie Walsh"],
        "nominee_count": 24,
        "volunteers": ["Imran Shah", "Megan Jones", "Patrick Byrne", "Zara Ahmed"],
        "volunteer_count": 30,
        "seeds": {"local_group": "refounding-2021-politics-and-people-local-groups-7f3a",
                  "individual": "refounding-2021-politics-and-people-individuals-c219"},
    },
    "power-and-participation": {
        "nominees": ["rep", "Maya Patel", "Joe Robinson", "Leah Thompson", "Ciaran Murphy", "Amira Haddad",
                     "Rory Stewart-Kerr", "Nia Williams"],
        "nominee_count": 24,
        "volunteers": ["member2", "Sean O'Neill", "Ella Brooks", "Arjun Mehta"],
        "volunteer_count": 30,
        "seeds": {"local_group": "refounding-2021-power-and-participation-local-groups-41d8",
                  "individual": "refounding-2021-power-and-participation-individuals-9be0"},
    },
}
# (characteristic, value, min, max) for each drawn category; region quotas are added per region.
DRAW_QUOTAS = {
    "local_group": [("gender", "woman", 3, 8)],
    "individual": [("gender", "woman", 2, 4), ("gender", "man", 0, 2), ("age band", "18-29", 1, 4),
                   ("age band", "65 and over", 0, 1)],
}
REGION_MAX = {"local_group": 1, "individual": 1}

# Member amendments to the interim texts, proposed in the amendment window through the same services
# as the pages. (section, clause, author, change, first word, last word, new words, rationale, up, down)
# `change` is a page's change (see forum.services.amendments.CHANGES), or "edit": the clause's new
# wording, from which the word-level amendment is computed. Word numbers count from 1.
AMENDMENTS = [
    (2, "c8", "member2", "replace", 10, 12, "to all members within two weeks.",
     "“Circulated among the members” sets no deadline and could mean a handful of members. Two weeks is "
     "what several local groups asked for in their submissions.",
     ["member", "Nadia Hussain", "Owen Price", "Sean O'Neill", "Ella Brooks"], []),
    (2, "c6", "member", "edit", None, None,
     "The NCG should meet monthly, using online meeting spaces as appropriate, but at least six times a year "
     "in person, with adequate staff support to run smoothly.",
     "Four in-person meetings a year leave the NCG meeting face to face only once a quarter, too rarely "
     "to build trust between its members.",
     ["Grace Adeyemi"], ["member2", "Liam Doherty", "Sofia Rossi"]),
    (2, "c2", "Sean O'Neill", "replace", 18, 26, "NEC.",
     "The bracket gives the leadership a way round the members' vote. If the vote is to mean something it "
     "must stand on its own.",
     ["member", "Tom Gallagher"], ["Ben Carter"]),
    (4, "c1", "Aisha Begum", "replace", 10, 12, "in the long term,",
     "A small grammar fix: “in long term” is missing its article.",
     ["Kwame Mensah", "Hannah Li", "member"], []),
    (4, "c1", "Nadia Hussain", "delete", 10, 12, "",
     "Drop the hedge: the move should be a commitment with the dates that follow, not a long-term aim.",
     ["Marcus Reid"], ["Ruth Evans"]),
    (4, "c1", "Owen Price", "replace", 19, 21, "within 6 months, after consulting members in the North,",
     "Three months is too short to consult the groups in the northern cities that might host the office.",
     ["Patrick Byrne", "Zara Ahmed", "Imran Shah", "member2"], ["Megan Jones"]),
    (5, "c4", "Rhys Morgan", "replace", 3, 3, "a universal basic income.",
     "Spell out the acronym, so that every member knows what they are voting for.",
     ["Isla Campbell", "George Hall"], []),
]

# Dispositions given by the assembly in final drafting: (index into AMENDMENTS, drafter, decision, reason)
AMENDMENT_DISPOSITIONS = [
    (0, "facilitator", "accepted",
     "Accepted: members should not have to ask for the minutes, and two weeks is achievable for the staff team."),
    (1, "facilitator", "rejected",
     "Rejected: the assembly heard that six in-person meetings would cost more than the NCG's travel budget "
     "allows; four remains a minimum and the NCG may meet in person more often."),
]
