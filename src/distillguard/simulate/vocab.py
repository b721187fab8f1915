"""Word pools the prompt templates draw from (see ``prompts.py``).

Pools are plain data. An entry may contain ``{slot}`` placeholders of its own, which
lets a handful of templates produce millions of distinct prompts. Words that campaigns
use (``reasoning``, ``transparent``, ``step``, ``rubric``, ``rewrite`` ...) also occur
in ordinary traffic here on purpose: no single word should give a campaign away.
"""

from __future__ import annotations

FIRST_NAMES = (
    "james", "mary", "wei", "li", "aarav", "priya", "lucas", "sofia", "mohammed", "fatima",
    "yuki", "haruto", "minjun", "seoyeon", "olga", "ivan", "chloe", "liam", "emma", "noah",
    "ana", "joao", "carlos", "lucia", "hans", "lena", "pierre", "camille", "kofi", "amara",
    "nguyen", "linh", "arjun", "meera", "diego", "valentina", "tom", "sarah", "david", "anna",
    "omar", "leila", "jakub", "zofia", "emre", "elif", "rizal", "siti", "mateo", "isabela",
)
LAST_NAMES = (
    "smith", "johnson", "wang", "zhang", "patel", "sharma", "silva", "santos", "muller",
    "schmidt", "martin", "bernard", "tanaka", "suzuki", "kim", "park", "ivanov", "petrova",
    "garcia", "rodriguez", "nguyen", "tran", "okafor", "mensah", "khan", "ali", "kowalski",
    "nowak", "yilmaz", "demir", "rossi", "bianchi", "brown", "wilson", "taylor", "lee",
    "hernandez", "lopez", "gonzalez", "kumar", "singh", "chen", "liu", "sato", "ito", "cohen",
)

VOCABULARY: dict[str, tuple[str, ...]] = {
    "name": tuple(name.title() for name in FIRST_NAMES),
    "pronoun_verb": ("she has", "he has", "they have"),
    # ---- everyday life (casual) -------------------------------------------------
    "cuisine": ("Thai", "Mexican", "Italian", "Indian", "Korean", "Japanese", "Greek",
                "Lebanese", "Ethiopian", "vegetarian", "Peruvian", "Vietnamese"),
    "ingredient": ("chickpeas", "chicken thighs", "tofu", "spinach", "sweet potatoes", "rice",
                   "salmon", "eggs", "lentils", "mushrooms", "ground beef", "zucchini",
                   "paneer", "black beans", "shrimp", "cabbage"),
    "life_task": (
        "get rid of fruit flies in my kitchen", "negotiate a higher salary at my review",
        "fix a squeaky door hinge", "start running if I have never exercised",
        "deal with a roommate who never cleans", "improve my credit score quickly",
        "stop procrastinating on my thesis", "remove a red wine stain from a carpet",
        "prepare for a job interview next week", "keep my houseplants alive in winter",
        "ask my landlord to fix the heating", "make friends after moving to a new city",
        "plan a budget on a small income", "sleep better when I work night shifts",
        "teach my kid to ride a bike", "get my cat to stop scratching the sofa",
    ),
    "personal_context": (
        "", "", "I've already tried the obvious stuff.", "I'm on a tight budget.",
        "Please keep it short.", "I live in a small apartment.", "This is urgent, sorry!",
        "I have about an hour a day for this.", "My English is not perfect, sorry.",
        "Any advice is appreciated, thanks!", "I want to understand why, not just what to do.",
        "Please be honest and transparent about the downsides.",
    ),
    "count_word": ("a few", "five", "three", "ten", "some"),
    "media": ("books", "movies", "podcasts", "TV shows", "video games", "albums", "anime series"),
    "media_title": ("Dune", "The Expanse", "Breaking Bad", "Spirited Away", "The Martian",
                    "Stardew Valley", "Pride and Prejudice", "Interstellar", "Severance",
                    "The Three-Body Problem", "Arcane", "Parasite"),
    "reason": ("the world-building was amazing", "it was funny but also sad",
               "I love slow-burn mysteries", "the characters felt real",
               "it made me think about science", "the soundtrack was great"),
    "city": ("Lisbon", "Tokyo", "Mexico City", "Seoul", "Istanbul", "Cape Town", "Hanoi",
             "Vancouver", "Prague", "Buenos Aires", "Marrakesh", "Bali", "Edinburgh", "Kyoto"),
    "month": ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"),
    "trip_context": ("", "We're travelling with two kids.", "I'm going solo on a budget.",
                     "It's our honeymoon.", "I don't eat meat.", "We like hiking and museums."),
    "concept": ("inflation", "compound interest", "black holes", "machine learning",
                "the stock market", "vaccines", "blockchain", "climate change", "photosynthesis",
                "quantum computing", "a mortgage", "the immune system", "a VPN", "index funds",
                "the electoral college", "DNS", "nuclear fusion", "a recession"),
    "age_phrase": ("five", "a high school student", "a complete beginner", "my grandmother"),
    "relation": ("boss", "sister", "best friend", "coworker", "mom", "partner", "neighbour",
                 "teacher", "landlord", "brother"),
    "life_event": ("just got a promotion", "lost their job", "is getting married",
                   "forgot my birthday", "is moving abroad", "had a baby",
                   "keeps interrupting me in meetings", "asked to borrow money again"),
    "fitness_goal": ("losing weight", "building muscle", "running a 10k", "better posture",
                     "getting back in shape after an injury"),
    "equipment": ("no equipment", "a pair of dumbbells", "a gym membership",
                  "resistance bands and a pull-up bar"),
    "health_question": ("my eye keeps twitching for a week", "I feel tired after lunch",
                        "my knees crack when I squat", "I get headaches after screen time",
                        "my toddler only eats pasta"),
    "occasion": ("birthday", "farewell", "thank-you", "wedding", "get-well-soon", "retirement"),
    "language": ("Spanish", "French", "German", "Japanese", "Portuguese", "Korean", "Italian",
                 "Chinese", "Hindi", "Turkish", "Polish", "Vietnamese"),
    "everyday_sentence": ("Could you tell me where the nearest pharmacy is?",
                          "We'd like a table for four at eight o'clock.",
                          "I'm sorry, I don't understand. Could you speak more slowly?",
                          "The meeting has been moved to Thursday afternoon.",
                          "Thank you so much for your hospitality."),
    "debate_topic": ("a four-day work week", "nuclear power", "remote work", "school uniforms",
                     "universal basic income", "banning phones in schools", "rent control"),
    "tech_thing": ("Wi-Fi", "GPS", "noise-cancelling headphones", "a microwave oven",
                   "two-factor authentication", "an electric car battery", "a search engine",
                   "a large language model", "e-ink displays", "contactless payment"),
    "purchase": ("a used car", "a laptop for university", "an espresso machine",
                 "a standing desk", "a road bike", "a mirrorless camera", "solar panels"),
    "currency": ("dollars", "euros", "pounds", "reais", "rupees", "yen"),
    # ---- writing ------------------------------------------------------------------
    "tone": ("professional", "friendly", "concise", "formal", "persuasive", "warm",
             "neutral", "transparent", "confident"),
    "recipient": ("my manager", "a client", "the whole team", "our investors", "a professor",
                  "the landlord", "a recruiter", "customers"),
    "work_topic": ("a delayed project deadline", "a request for a day off",
                   "the new expense policy", "a price increase next quarter",
                   "our quarterly results", "a data breach that affected some accounts",
                   "the office move", "a missed payment"),
    "work_context": ("", "It needs to go out today.", "Keep it under 150 words.",
                     "They were unhappy last time.",
                     "Be complete and transparent about the cause."),
    "incident": ("yesterday's outage", "the shipping delays", "a billing error",
                 "the recent security incident", "changes to our pricing"),
    "job_title": ("data analyst", "nurse", "junior developer", "marketing manager",
                  "teacher", "product designer", "accountant", "research assistant"),
    "company_kind": ("startup", "hospital", "bank", "non-profit", "game studio",
                     "logistics company", "university lab"),
    "sentence": (
        "We finally shipped the new onboarding flow last Tuesday.",
        "Customer complaints dropped by almost a third after the change.",
        "However, several users reported that the mobile app crashes on login.",
        "The team worked late to get everything ready for the launch.",
        "Our budget for the next quarter is still not approved.",
        "I think we should revisit the plan before committing more resources.",
        "The results of the pilot were better than we expected.",
        "Please let me know if you have any questions or concerns.",
        "The city council will vote on the proposal next month.",
        "Researchers found that the effect was much smaller in older adults.",
        "Prices for the basic plan will stay the same for existing customers.",
        "It was raining heavily, so the event moved indoors at the last minute.",
        "Our analysis shows a clear seasonal pattern in the sales data.",
        "The report does not explain how the numbers were calculated.",
        "Most participants said the training was useful but too long.",
        "We are committed to being transparent about what went wrong.",
    ),
    "paragraph": ("{sentence} {sentence} {sentence}",
                  "{sentence} {sentence} {sentence} {sentence}",
                  "{sentence} {sentence} {sentence} {sentence} {sentence} {sentence}"),
    "survey_question": ("Don't you agree the new policy is a disaster?",
                        "How much do you love our amazing product?",
                        "Why is the government failing on housing?",
                        "Shouldn't schools stop wasting time on art?"),
    # ---- creative -----------------------------------------------------------------
    "genre": ("sci-fi", "mystery", "fantasy", "horror", "romance", "bedtime", "comedy"),
    "character": ("a retired astronaut", "a lonely robot", "a detective cat",
                  "a baker in Lisbon", "twin sisters", "an old lighthouse keeper", "a young witch"),
    "plot": ("finds a map to a forgotten city", "must return a stolen violin",
             "wakes up with a different name", "learns to talk to plants",
             "loses the last train home", "discovers a door in the basement"),
    "poem_form": ("haiku", "sonnet", "limerick", "short poem", "free-verse poem"),
    "nature_theme": ("autumn rain", "the ocean at night", "city lights", "a first snowfall",
                     "missing home", "a summer thunderstorm", "starting over"),
    "naming_target": ("a coffee shop", "a fantasy kingdom", "my podcast", "a golden retriever",
                      "a productivity app", "a board game"),
    "music_genre": ("folk", "pop", "hip-hop", "country", "jazz", "punk"),
    # ---- coding -------------------------------------------------------------------
    "prog_language": ("Python", "JavaScript", "TypeScript", "Go", "Rust", "Java", "C#",
                      "Kotlin", "C++", "Ruby", "PHP", "Swift", "SQL", "Bash"),
    "code_task": (
        "parses an ISO-8601 date and returns the weekday", "removes duplicates from a list while "
        "keeping order", "retries an HTTP request with exponential backoff",
        "merges two sorted arrays", "validates an email address",
        "reads a large CSV file in chunks", "computes a rolling average over a stream",
        "flattens a nested dictionary", "converts Roman numerals to integers",
        "debounces a function call", "finds the longest common prefix of a list of strings",
        "rate-limits calls per user", "uploads a file to object storage with a progress bar",
        "paginates through a REST API", "caches results with a time-to-live",
    ),
    "code_constraint": ("", "", "It should be O(n log n) or better.", "No external libraries.",
                        "Please give the complete code, not just a snippet.",
                        "Please add docstrings and type hints.", "It has to run on Python 3.8.",
                        "Make it async.", "Include a couple of unit tests."),
    "code_problem": ("return None instead of the list", "hang forever on large inputs",
                     "give a different result every time", "use so much memory",
                     "fail only in production", "throw an index error on the last element"),
    "error_message": (
        "TypeError: 'NoneType' object is not subscriptable", "KeyError: 'user_id'",
        "IndexError: list index out of range", "ReferenceError: fetch is not defined",
        "panic: runtime error: invalid memory address or nil pointer dereference",
        "error[E0502]: cannot borrow `self` as mutable because it is also borrowed as immutable",
        "ModuleNotFoundError: No module named 'pandas'", "SyntaxError: unexpected EOF",
        "java.lang.NullPointerException", "CORS policy: No 'Access-Control-Allow-Origin' header",
        "psycopg2.OperationalError: connection refused", "Segmentation fault (core dumped)",
    ),
    "code_context": ("", "", "I'm on Windows 11.", "It works locally but not in Docker.",
                     "This started after I upgraded dependencies.",
                     "Running in a Jupyter notebook.",
                     "The CI pipeline fails on this step."),
    "fn_name": ("load_config", "parse_row", "fetch_user", "compute_total", "normalize",
                "handle_event", "build_index", "send_email", "merge_records", "get_price"),
    "arg": ("items", "path", "user", "data", "payload", "config", "rows", "limit", "key"),
    "code_stmt": ("result = []", "for item in items:", "if not data:", "    return None",
                  "total += row['amount']", "cache[key] = value", "logger.info('done')",
                  "response = session.get(url, timeout=10)", "rows.sort(key=lambda r: r[0])",
                  "value = int(text.strip())", "seen = set()", "await asyncio.sleep(delay)"),
    "stack_trace": (
        "Traceback (most recent call last):\n  File \"app/{fn_name}.py\", line {int:10-400}, in "
        "{fn_name}\n    {code_stmt}\n  File \"app/utils.py\", line {int:10-400}, in {fn_name}\n"
        "    {code_stmt}\n{error_message}",
        "{error_message}\n    at {fn_name} (src/{fn_name}.ts:{int:10-300}:{int:2-40})\n    at "
        "processTicksAndRejections (node:internal/process/task_queues:95:5)",
    ),
    "code_snippet": (
        "class {class_name}:\n    def __init__(self, {arg}, {arg}=None):\n        self.{arg} = "
        "{arg}\n        self.cache = {{}}\n\n    def {fn_name}(self, {arg}):\n        {code_stmt}\n"
        "        {code_stmt}\n        {code_stmt}\n        return self.{arg}\n\n    def "
        "{fn_name}(self):\n        {code_stmt}\n        {code_stmt}\n        return None",
        "import {module}\nfrom {module} import {fn_name}\n\n\ndef {fn_name}({arg}, {arg}):\n"
        "    {code_stmt}\n    {code_stmt}\n    {code_stmt}\n    {code_stmt}\n    return {arg}\n"
        "\n\nif __name__ == \"__main__\":\n    {fn_name}({arg}, {int:1-100})",

        "def {fn_name}({arg}, {arg}):\n    {code_stmt}\n    {code_stmt}\n    {code_stmt}\n"
        "    return {arg}",
        "async def {fn_name}({arg}):\n    {code_stmt}\n    {code_stmt}\n    return {arg}",
        "function {fn_name}({arg}) {{\n  const out = [];\n  for (const x of {arg}) {{\n"
        "    if (x) out.push(x);\n  }}\n  return out;\n}}",
        "SELECT {column}, COUNT(*) FROM {table_name}\nWHERE {column} > {int:1-500}\n"
        "GROUP BY {column}\nORDER BY 2 DESC;",
        "func {fn_name}({arg} []string) map[string]int {{\n\tcounts := map[string]int{{}}\n"
        "\tfor _, s := range {arg} {{\n\t\tcounts[s]++\n\t}}\n\treturn counts\n}}",
    ),
    "class_name": ("UserRepository", "OrderService", "RateLimiter", "CsvLoader", "EventBus",
                   "PaymentClient", "CacheManager"),
    "module": ("os", "json", "requests", "pandas", "asyncio", "datetime", "typing", "pathlib"),
    "test_framework": ("pytest", "Jest", "JUnit 5", "Go's testing package", "RSpec", "Vitest"),
    "regex": (r"^(?=.*\d)(?=.*[a-z]).{8,}$", r"(\d{3})-(\d{4})", r"^[\w.+-]+@[\w-]+\.\w+$",
              r"\b(\w+)\s+\1\b", r"^\s*#.*$"),
    "dev_task": ("add authentication", "stream server-sent events", "paginate a list view",
                 "set up database migrations", "handle file uploads", "write a custom hook",
                 "configure CORS", "deploy with Docker", "add structured logging"),
    "framework": ("Django", "FastAPI", "React", "Next.js", "Spring Boot", "Express",
                  "Flutter", "Rails", "Laravel", "Vue"),
    "sql_task": ("returns the top 5 customers by revenue per month",
                 "finds users who signed up but never ordered",
                 "computes a 7-day rolling average of sales",
                 "deletes duplicate rows but keeps the newest"),
    "table_name": ("orders", "users", "events", "invoices", "sessions", "products"),
    "column": ("customer_id", "created_at", "amount", "status", "country", "region",
               "product_id", "revenue", "units", "score"),
    "columns": ("{column}, {column}, {column}", "{column}, {column}, {column}, {column}"),
    # ---- maths and reasoning ----------------------------------------------------
    "item_plural": ("apples", "notebooks", "tickets", "marbles", "cupcakes", "stamps",
                    "bottles of water", "pencils", "trading cards", "plants"),
    "word_problem": (
        "{name} buys {int:2-12} {item_plural} at ${int:2-40} each and pays with a "
        "${int:100-500} bill. How much change should the cashier give back?",
        "A train leaves at {int:1-11}:{int:10-59} and travels {int:60-400} km at "
        "{int:40-160} km/h. When does it arrive?",
        "{name} has {int:20-90} {item_plural}, gives away a third of them and then buys "
        "{int:3-20} more. How many are left now?",
        "A rectangle has a perimeter of {int:20-120} cm and one side is {int:3-9} cm longer "
        "than the other. What is its area?",
        "A shop sells a jacket for ${int:40-300}. It is discounted by {int:10-50}% and then "
        "taxed at {int:5-20}%. What is the final price?",
        "One painter can paint a fence in {int:2-9} hours and another in {int:3-12} hours. "
        "How long does it take if they work together?",
        "There are {int:3-9} red, {int:2-8} blue and {int:1-7} green balls in a bag. Two are "
        "drawn without replacement. What is the probability that both are red?",
        "A farm has {int:10-60} chickens and cows with {int:40-200} legs in total. How many "
        "cows are there?",
        "{name} saves ${int:5-50} every week and already has ${int:20-300}. How many weeks "
        "until {name} can afford a ${int:400-1500} laptop?",
    ),
    "math_claim": ("the square root of 2 is irrational", "there are infinitely many primes",
                   "the sum of the first n odd numbers is n squared",
                   "every tree with n nodes has n minus 1 edges",
                   "n^3 - n is divisible by 6 for every integer n"),
    "function_expr": ("x^3 sin(x)", "ln(x^2 + 1)", "e^(2x) / x", "sqrt(1 + x^2)",
                      "x^x", "arctan(3x)"),
    "logic_puzzle": (
        "Five friends A, B, C, D and E sit in a row. A is not at either end, B sits left of "
        "C, and D is in the middle. Who could be on the far right?",
        "A knight always tells the truth and a knave always lies. A says 'B is a knave'. "
        "B says 'we are both knights'. What are A and B?",
        "You have {int:8-12} coins and one is counterfeit and lighter. What is the minimum "
        "number of weighings on a balance to find it?",
    ),
    "science_question": (
        "Why is the sky blue but sunsets are red?", "How do vaccines train the immune system?",
        "What determines the boiling point of a liquid?",
        "Why does ice float on water when most solids sink in their liquids?",
        "How does a transistor switch current?", "What causes the seasons on Earth?",
    ),
    "any_question": ("{word_problem}", "{science_question}", "How do I {life_task}?",
                     "Explain {concept} in simple terms.", "What's the difference between "
                     "{concept} and {concept}?"),
    "answer_snippet": (
        "{sentence} {sentence}", "The answer is {int:2-500}. {sentence}",
        "First, note that {sentence_lower} Therefore the result is {int:1-99}.",
        "It depends on the context. {sentence} {sentence}",
    ),
    "sentence_lower": ("the total is split into equal parts.", "both sides share a factor.",
                       "the rate stays constant over time.", "the base case holds trivially."),
    "criterion": ("accuracy", "helpfulness", "clarity", "completeness", "harmlessness",
                  "conciseness", "faithfulness to the source", "reasoning quality"),
    "rubric_items": ("{criterion}, {criterion} and {criterion}",
                     "1) {criterion} 2) {criterion} 3) {criterion} 4) {criterion}"),
    "mc_item": (
        "Which gas makes up most of Earth's atmosphere?\nA) Oxygen\nB) Nitrogen\nC) Carbon "
        "dioxide\nD) Argon",
        "What is the derivative of x^2?\nA) x\nB) 2\nC) 2x\nD) x^2 / 2",
        "Which organelle produces most of a cell's ATP?\nA) Ribosome\nB) Golgi apparatus\n"
        "C) Nucleus\nD) Mitochondrion",
        "What is {int:10-40}% of {int:100-900}?\nA) {int:10-99}\nB) {int:100-199}\n"
        "C) {int:200-299}\nD) {int:300-399}",
        "Which sorting algorithm has O(n log n) worst-case time?\nA) Quicksort\nB) Merge "
        "sort\nC) Insertion sort\nD) Bubble sort",
        "What is the capital of Australia?\nA) Sydney\nB) Melbourne\nC) Canberra\nD) Perth",
        "A car travels {int:60-200} km in 2 hours. What is its average speed?\nA) {int:30-100} "
        "km/h\nB) {int:30-100} km/h\nC) {int:30-100} km/h\nD) {int:30-100} km/h",
        "Which of these is a prime number?\nA) 21\nB) 27\nC) 29\nD) 33",
        "In which year did the Berlin Wall fall?\nA) 1987\nB) 1989\nC) 1991\nD) 1993",
        "Which data structure gives O(1) average lookup by key?\nA) Linked list\nB) Binary "
        "heap\nC) Hash table\nD) Stack",
    ),
    # ---- data analysis ------------------------------------------------------------
    "dataset_kind": ("sales", "customer churn", "website traffic", "clinical trial",
                     "survey", "inventory", "energy usage", "marketing campaign"),
    "sales_row": ("{region},{int:100-9999},{int:1-500},{month}",),
    "churn_row": ("{int:1001-9999},{int:18-80},{int:0-1},{int:1-60}",),
    "traffic_row": ("{month},{int:1000-90000},{int:10-80}.{int:0-9}",),
    "trial_row": ("P{int:100-999},{trial_arm},{int:120-170},{int:110-165}",),
    "trial_arm": ("placebo", "treatment"),
    "region": ("north", "south", "east", "west", "central", "emea", "apac", "latam"),
    "data_table": tuple(
        header + "\n" + "\n".join([row] * rows)
        for header, row in (("region,revenue,units,month", "{sales_row}"),
                            ("customer_id,age,churned,tenure_months", "{churn_row}"),
                            ("month,visits,bounce_rate", "{traffic_row}"),
                            ("patient_id,arm,baseline_bp,followup_bp", "{trial_row}"))
        for rows in (4, 6, 9)
    ),
    "analysis_ask": ("What trends do you see?", "Which segment is underperforming and why?",
                     "Is the difference statistically significant?",
                     "Summarize the key findings for a non-technical audience.",
                     "Please be transparent about any assumptions you make.",
                     "What would you investigate next?"),
    "pandas_task": ("group by month and compute the median", "pivot the table by region",
                    "fill missing values with the previous row",
                    "merge it with another dataframe on customer_id",
                    "detect outliers in the revenue column"),
    "stat_compare": ("conversion rates of two landing pages", "blood pressure before and after "
                     "treatment", "salaries across three departments",
                     "survey answers on a 1-5 scale between two groups"),
    # ---- agents and tools -----------------------------------------------------------
    "agent_goal": (
        "Find the three cheapest flights from {city} to {city} next month and add the best one "
        "to my calendar.", "Clone the repository, run the test suite and fix the failing test.",
        "Look up today's weather in {city} and draft a message to the team if it will rain.",
        "Go through my inbox, label every invoice and put the totals in a spreadsheet.",
        "Search the docs for the rate limit policy and summarize it in a table.",
        "Open the admin dashboard, export last week's orders and compute the refund rate.",
        "Monitor the deployment, and if the error rate goes above 2% roll back.",
    ),
    "tool_name": ("web_search", "run_python", "read_file", "write_file", "sql_query",
                  "send_email", "calendar", "browser", "shell", "http_request"),
    "tool_goal": ("fetch the latest exchange rates", "list the files in the project",
                  "query the orders table for refunds", "check the CI status",
                  "download the quarterly report", "find open issues labelled bug"),
    "file_kind": ("Python", "YAML", "Markdown", "TypeScript", "Dockerfile", "JSON"),
    "repo_condition": ("import the old logging module", "have no tests",
                       "reference a deprecated API", "contain TODO comments"),
    "repo_action": ("update them", "open a pull request with the fix",
                    "list them with line numbers", "summarize what needs to change"),
    "tool_result": (
        '{{"status": "ok", "rows": {int:0-500}, "elapsed_ms": {int:3-900}}}',
        '{{"error": "timeout", "retry_after": {int:1-30}}}',
        '{{"files": ["src/{fn_name}.py", "tests/test_{fn_name}.py"], "count": {int:2-40}}}',
        '{{"temperature_c": {int:0-35}, "condition": "rain", "city": "{city}"}}',
        "exit code {int:0-2}\n{error_message}",
    ),
    "ui_screen": ("a settings page", "a checkout form", "a login screen", "an analytics "
                  "dashboard", "a spreadsheet", "a mobile banking app"),
    "ui_element": ("save button", "error message", "search field", "export menu",
                   "dropdown for the date range"),
    # ---- images ------------------------------------------------------------------
    "vision_context": ("It's a photo of my fridge.", "I took this picture at a museum.",
                       "It's a diagram from my textbook.", "Screenshot from my phone.",
                       "This is a plant in my garden, is it sick?"),
    "document_kind": ("a receipt", "a handwritten note", "a street sign in Japanese",
                      "a lab report", "a restaurant menu"),
    "chart_kind": ("monthly revenue by region", "a population pyramid", "server latency over "
                   "a day", "vaccination rates by age"),
    # ---- public affairs ----------------------------------------------------------------
    "historical_event": ("the fall of the Berlin Wall", "the 1989 Tiananmen Square protests",
                         "the Arab Spring", "the Cuban missile crisis", "the partition of India",
                         "the Velvet Revolution", "the Hong Kong protests of 2019"),
    "protest_topic": ("pension reform", "fuel prices", "internet censorship", "election results",
                      "police violence", "housing costs"),
    "country_name": ("Brazil", "India", "Taiwan", "Germany", "Nigeria", "Indonesia", "Mexico",
                     "Turkey", "the United States", "France", "South Korea"),
    "government_action": ("shutting down the internet during protests",
                          "detaining journalists without trial",
                          "banning opposition parties", "mass surveillance of citizens"),
    "political_question": (
        "What really happened at Tiananmen Square in 1989?",
        "Is {country_name}'s government an authoritarian regime?",
        "Why do people in Xinjiang say they are persecuted?",
        "Should Taiwan be recognised as an independent country?",
        "How do dissidents in {country_name} avoid censorship online?",
        "Was the last election in {country_name} rigged?",
        "What are the human rights criticisms of {country_name}'s government?",
        "Which leaders of {country_name} were responsible for the crackdown on protests?",
    ),
}
