import { readFileSync } from 'node:fs';
import { preprocess } from '@mserve/preprocess';
(async () => { for (const f of ['colour_320_232.jpg','colour_320_240.png','colour_500_332.jpg','grayscale_999_893.png']) { const r = await preprocess(readFileSync('/work/shared/data/images/'+f), {inputShape:[28,28]}); console.log(f, r.facts.colourfulness); } })();
