import sharp from 'sharp';
import { computeDescriptor, descriptorSimilarity } from '/work/main/lib/image-descriptor/compute-descriptor.ts';
const dir='/work/main/test/fixtures/reference-images/';
async function d(img: sharp.Sharp){const {data,info}=await img.ensureAlpha().raw().toBuffer({resolveWithObject:true});const t=performance.now();const v=computeDescriptor(new Uint8Array(data),info.width,info.height);console.log('ms',(performance.now()-t).toFixed(1));return v;}
const names=['Mixer-0.jpg','Mixer-1.jpg','Mixer-2.jpg','DamagedHelmet-screenshot.jpg','WaterBottle-screenshot.jpg'];
const o=[];for(const n of names)o.push(await d(sharp(dir+n)));
for(let i=0;i<5;i++)console.log(names[i],o.map(v=>descriptorSimilarity(o[i],v).toFixed(3)).join(' '));
